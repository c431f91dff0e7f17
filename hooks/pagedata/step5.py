"""Step 5, microgpt: what changes, training and results, and the whole program assembled
(pages 5.1, 5.4 and the last page)."""
