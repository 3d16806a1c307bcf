"""What the dashboard and the REST API show: view values, grading against thresholds, ports."""
