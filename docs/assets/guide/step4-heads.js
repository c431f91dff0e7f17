/* Step 4: the heads player (4.3). */
