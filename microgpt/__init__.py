"""microgpt: a GPT built from scratch in six steps, in plain Python.

Each step is a complete program that trains on 32,033 names for 1,000 steps
and then makes up 20 new ones:

    step 0  counting             microgpt.step0_counting
    step 1  gradient descent     microgpt.step1_gradient
    step 2  autograd             microgpt.step2_autograd
    step 3  attention            microgpt.step3_attention
    step 4  the transformer      microgpt.step4_transformer
    step 5  Adam                 microgpt.step5_adam

Run one with `python -m microgpt run N`. The code uses the standard library only.

microgpt.record and microgpt.replay are not part of the lesson: they watch a
run from outside (spies on named functions, snapshots of the parameters) and
replay snapshots through the steps' own functions, for the guide's pages.
"""
