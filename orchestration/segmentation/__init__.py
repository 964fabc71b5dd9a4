"""Capability segmentation of partners (docs/segmentation.md): features, clustering, readable
segment profiles, and the segment a new partner gets from its application."""
