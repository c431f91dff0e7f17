/* Step 3: attention weights over training, and the KV cache (3.5-3.7). */
