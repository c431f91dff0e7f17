/* Step 2: the Value graph and its backward walk. */
