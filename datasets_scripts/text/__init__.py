"""Natural-language descriptions of clips (see :func:`describe.describe_clip`)."""
