/* Step 3: embeddings, RMSNorm, q/k/v (3.2-3.4). */
