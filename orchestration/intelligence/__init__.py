"""Revenue intelligence: point-in-time features, pipeline health, stall risk, forecasts, lifetime value."""
