/* Step 5: Adam's players (5.2, 5.3). */
