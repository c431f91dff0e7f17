"""Step 4, the transformer: what changes, the heads drawn, the layer loop and its per-layer
cache, training and results (pages 4.1, 4.2, 4.4 to 4.6)."""
