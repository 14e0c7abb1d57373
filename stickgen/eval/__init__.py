"""Evaluation: metrics, the contrastive evaluator, the safety critic, prompt suites and the report."""
