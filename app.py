"""Hugging Face Space entry point: ``python app.py`` launches the Stick-Gen app (see stickgen/app.py)."""
from stickgen.app import main

if __name__ == "__main__":
    main()
