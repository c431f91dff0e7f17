"""Step 4's heads at work (page 4.3): each head's slice, its weights and its output, x_attn
built up head by head."""
