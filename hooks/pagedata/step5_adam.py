"""Step 5's optimizer at work (pages 5.2 and 5.3): the watched parameters' gradients, Adam's
running averages m and v, bias correction and the step each parameter takes."""
