"""Revenue intelligence: forecasts, lifetime value and pipeline-health models behind the intelligence marts."""
