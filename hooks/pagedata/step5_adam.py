"""Step 5's optimizer at work (pages 5.2 and 5.3): the watched parameters' gradients, Adam's
running averages m and v, bias correction and the step each parameter takes.

The run keeps, at every training step, the gradient, the value and Adam's m and v of a few
watched parameters (extra.microgpt.runs.5.watch in mkdocs.yml; microgpt/record.py). What Adam
computes from them and does not keep (m_hat, v_hat) is read by replaying the watched gradient
trace through microgpt's own Adam class (microgpt.step5_adam.Adam) and tracing its local
variables (microgpt.replay.trace_calls): the replay must reproduce the run's m, v and values to
the last bit, or the build fails. The same replay with other betas gives the counterfactual of
5.3 (what Adam would have done with the same gradients), said as such on the page.

The formulas a page teaches (an average's memory 1/(1 - beta), the factor 1 - beta^t) are
computed here; the beta slider of 5.2 recomputes the running average in the browser from the
exact recorded gradients, which is the formula being taught (tests check it against the run).
"""

import math
import re
from html import escape

from hooks import render, svg
from hooks.directives import DirectiveError
from hooks.pagedata import fmt_int, frames_file, player, table, value
from hooks.pagedata.curves import running_mean
from hooks.pagedata.step1_gradients import headed_table
from microgpt import replay
from microgpt.autograd import Value

STEP5 = (5,)
PARAM_TONES = (0, 3, 4)   # the watched parameters' lines on a chart (tone 1 is the accent, the reference line's)
MINUS = "\u2212"
DIGITS = 4           # significant digits of every number these pages show
SETTINGS = ("beta1", "beta2", "eps_adam", "learning_rate")
QUANTITIES = ("grad", "m", "v", "m_hat", "v_hat", "step", "before", "after", "lr", "ratio")
BIAS_STEPS = 20      # the first steps the bias-correction chart of the beta slider shows
WINDOW = 100         # the first steps the beta slider's chart of the running average shows


# ---------------------------------------------------------------- numbers as the pages write them


def superscript(n):
    return ("⁻" if n < 0 else "") + str(abs(n)).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def number(x, digits=DIGITS):
    """A number for people, to `digits` significant digits: 0.006372, −0.1153, 1,000; very small or
    large ones as 7.375 × 10⁻¹⁰ (10⁻⁸ for a power of ten). A real minus sign."""
    x = float(x)
    if x == 0:
        return "0"
    if 1e-4 <= abs(x) < 1e6:
        return svg.fmt(x, digits)
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    sign = MINUS if mantissa.startswith("-") else ""
    mantissa = mantissa.lstrip("-").rstrip("0").rstrip(".")
    power = "10" + superscript(int(exponent))
    return sign + (power if mantissa == "1" else f"{mantissa} × {power}")


def one_minus(power):
    """1 - power (power = beta^t) for people: as a number, or as 1 − 8.748 × 10⁻⁸ when that would round to 1."""
    if number(1 - power) == "1" and power != 0:
        return f"1 {MINUS} {number(power)}"
    return number(1 - power)


# ---------------------------------------------------------------- the code's settings


def adam_module():
    return replay.module_of(5)


def setting(name):
    if name not in SETTINGS:
        raise DirectiveError(f"name={name!r}: one of {', '.join(SETTINGS)}")
    return getattr(adam_module(), name)


def beta_of(text):
    """beta=beta1 or beta2 (the code's), or a number between 0 and 1 (another Adam's)."""
    if text in ("beta1", "beta2"):
        return setting(text)
    try:
        beta = float(text)
    except ValueError:
        raise DirectiveError(f"beta={text!r}: beta1, beta2 or a number from 0 to 1 (0.9)") from None
    if not 0 <= beta < 1:
        raise DirectiveError(f"beta={text!r}: a running average's beta is at least 0 and less than 1")
    return beta


# ---------------------------------------------------------------- the watched parameters, replayed


def watched(run):
    entries = run.data.get("watch") or []
    if not entries or "m" not in entries[0]:
        raise DirectiveError(f"run {run.number} watched no parameter with Adam's m and v:"
                             " add [matrix, row, col] to extra.microgpt.runs.5.watch in mkdocs.yml")
    return entries


def label(entry):
    name, row, col = entry["param"]
    return f"{name}[{row}][{col}]"


def entry_of(run, param):
    """The watched parameter `param`: its matrix name (lm_head), or the whole label (lm_head[0][0])."""
    entries = watched(run)
    found = [e for e in entries if param in (e["param"][0], label(e))]
    if len(found) != 1:
        known = ", ".join(label(e) for e in entries)
        why = "names more than one" if found else "is not one"
        raise DirectiveError(f"param={param!r} {why} of the parameters run {run.number} watched: {known}"
                             " (extra.microgpt.runs.5.watch in mkdocs.yml)")
    return found[0]


def replayed(run, beta1=None, beta2=None):
    """Every watched parameter through microgpt's own Adam, fed the run's recorded gradients and
    learning rates: {label: {grad, m, v, m_hat, v_hat, step, before, after, lr}}, one number per
    training step (step = before - after, what the update subtracted). With the code's betas
    (the default) the replay must give the run's own m, v and values, bit for bit; with others it
    is a counterfactual: the same gradients, another Adam."""
    module = adam_module()
    beta1 = module.beta1 if beta1 is None else beta1
    beta2 = module.beta2 if beta2 is None else beta2
    own = (beta1, beta2) == (module.beta1, module.beta2)

    def compute():
        lrs = [record["lr"] for record in run.steps]
        start = run.snapshot(0)
        out = {}
        for entry in watched(run):
            name, row, col = entry["param"]
            p = Value(start[name][row][col])
            optimizer = module.Adam([p], beta1, beta2, module.eps_adam)
            seen = {"m": [], "v": [], "before": [], "after": []}

            def train():
                for grad, lr_t in zip(entry["grad"], lrs):
                    seen["before"].append(p.data)
                    p.grad = grad
                    optimizer.step(lr_t)
                    seen["after"].append(p.data)
                    seen["m"].append(optimizer.m[0])
                    seen["v"].append(optimizer.v[0])

            _, calls = replay.trace_calls(module.Adam.step, ["m_hat", "v_hat"], train)
            if len(calls) != len(lrs) or any(len(call["m_hat"]) != 1 or len(call["v_hat"]) != 1 for call in calls):
                raise DirectiveError("Adam.step no longer binds m_hat and v_hat once per parameter:"
                                     " hooks/pagedata/step5_adam.py must follow the code")
            if own and (seen["m"] != entry["m"] or seen["v"] != entry["v"] or seen["after"] != entry["data"]):
                raise DirectiveError(f"{label(entry)}: replaying its recorded gradients through Adam does not give"
                                     " the m, v and values the run kept; hooks/pagedata/step5_adam.py must follow"
                                     " the code")
            out[label(entry)] = {
                "grad": list(entry["grad"]), "m": seen["m"], "v": seen["v"],
                "m_hat": [call["m_hat"][0][0] for call in calls], "v_hat": [call["v_hat"][0][0] for call in calls],
                "step": [b - a for b, a in zip(seen["before"], seen["after"])],
                "before": seen["before"], "after": seen["after"], "lr": lrs,
            }
        return out

    return run.remember(f"adam-replay-{beta1!r}-{beta2!r}", compute, __file__)


def trace_of(run, param, beta1=None, beta2=None):
    return replayed(run, beta1, beta2)[label(entry_of(run, param))]


def quantity(trace, what, k):
    """One quantity of a replayed trace at training step k (from 1)."""
    if what == "ratio":
        return abs(trace["step"][k - 1]) / trace["lr"][k - 1]
    return trace[what][k - 1]


def check_step(run, step):
    if not 1 <= step <= len(run.steps):
        raise DirectiveError(f"step={step}: run {run.number} has steps 1 to {len(run.steps)}")


def sign_changes(values):
    """How often a sequence changes sign from one step to the next (a zero changes nothing)."""
    return sum(1 for a, b in zip(values, values[1:]) if a * b < 0)


def rms(values):
    return math.sqrt(sum(v * v for v in values) / len(values))


def steps_list(run, text):
    """'1-12,20,1000' -> [1, ..., 12, 20, 1000], each a training step of the run."""
    steps = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        try:
            span = range(int(first), int(last or first) + 1)
        except ValueError:
            raise DirectiveError(f"steps={text!r}: a list of steps and ranges, e.g. steps=1-10,100,1000") from None
        steps += span
    if not steps or steps != sorted(set(steps)):
        raise DirectiveError(f"steps={text!r}: name each step once, in order")
    for k in (steps[0], steps[-1]):
        check_step(run, k)
    return steps


# ---------------------------------------------------------------- values


@value(runs=STEP5)
def adam_setting(page, name: str, run: int = None):
    """One setting of step5_adam.py: name=beta1, beta2, eps_adam or learning_rate (eps as 10⁻⁸)."""
    page.run(run)
    x = setting(name)
    return number(x) if name == "eps_adam" else svg.fmt(x, 6)


@value(runs=STEP5)
def ema(page, beta: str, what: str, t: int = 1, run: int = None):
    """A fact about a running average with decay beta=beta1, beta2 or a number (what=memory, bias, keep, ...).

    what=keep (beta in percent), rest ((1 - beta) in percent), memory (1 / (1 - beta), the steps it remembers),
    weight (its share of the gradient t steps back, (1 - beta) beta^(t-1)),
    bias (1 - beta^t, what bias correction divides by at step t), boost (1 / (1 - beta^t), what it multiplies by),
    mean_power (beta^t) or settle (the first step t at which
    1 - beta^t reaches 0.99: from then on the average is at least 99% of its corrected value)."""
    page.run(run)
    b = beta_of(beta)
    if t < 1:
        raise DirectiveError(f"t={t}: steps count from 1")
    found = {
        "keep": lambda: svg.fmt(round(b * 100, 6), 4) + "%",
        "rest": lambda: svg.fmt(round((1 - b) * 100, 6), 4) + "%",
        "memory": lambda: svg.fmt(1 / (1 - b), 3),
        "weight": lambda: number((1 - b) * b ** (t - 1)),
        "bias": lambda: one_minus(b ** t),
        "boost": lambda: svg.fmt(1 / (1 - b ** t), 4),
        "mean_power": lambda: number(b ** t),
        "settle": lambda: fmt_int(next(k for k in range(1, 10 ** 6) if 1 - b ** k >= 0.99)),
    }
    if what not in found:
        raise DirectiveError(f"what={what!r}: one of {', '.join(found)}")
    return found[what]()


@value(runs=STEP5)
def adam_value(page, param: str, step: int, what: str, beta1: float = None, beta2: float = None, run: int = None):
    """One number of one watched parameter at one training step, through Adam (what=grad, m, v, m_hat, ...).

    what=grad, m, v, m_hat, v_hat, step (the amount subtracted), before, after, lr or ratio (|step| / lr);
    beta1=, beta2= replay the same gradients with other betas (a counterfactual)."""
    run = page.run(run)
    check_step(run, step)
    if what not in QUANTITIES:
        raise DirectiveError(f"what={what!r}: one of {', '.join(QUANTITIES)}")
    return number(quantity(trace_of(run, param, beta1, beta2), what, step))


STATS = {
    "grad_rms": "the root mean square of its gradient over training",
    "mean_ratio": "the mean of |step| / lr_t over training",
    "max_ratio": "the largest |step| / lr_t",
    "mean_step": "the mean |step|",
    "path": "the sum of |step| over training: how far it travelled",
    "net": "its value at the end minus its value at the start",
    "zero_grads": "how many steps gave it a gradient of exactly 0",
    "moved_without_grad": "how many of those steps moved it all the same (m was not 0)",
    "first_grad": "the first step whose gradient is not 0",
    "grad_sign_changes": "how often its gradient changes sign from one step to the next",
    "m_sign_changes": "how often m changes sign from one step to the next",
    "steps_above_lr": "how many steps moved it by more than lr_t",
    "mean_m_hat": "the mean of |m_hat| over training",
    "mean_sqrt_v_hat": "the mean of √v_hat over training",
}


def stat(trace, what):
    g, steps, lrs = trace["grad"], trace["step"], trace["lr"]
    ratios = [abs(s) / lr for s, lr in zip(steps, lrs)]
    zero = [k for k, x in enumerate(g) if x == 0]
    if what == "first_grad":
        first = next((k + 1 for k, x in enumerate(g) if x != 0), None)
        if first is None:
            raise DirectiveError("this parameter never got a gradient")
        return fmt_int(first)
    counts = {
        "zero_grads": lambda: len(zero),
        "moved_without_grad": lambda: sum(1 for k in zero if steps[k] != 0),
        "grad_sign_changes": lambda: sign_changes(g),
        "m_sign_changes": lambda: sign_changes(trace["m"]),
        "steps_above_lr": lambda: sum(1 for r in ratios if r > 1),
    }
    if what in counts:
        return fmt_int(counts[what]())
    numbers = {
        "grad_rms": lambda: rms(g),
        "mean_ratio": lambda: sum(ratios) / len(ratios),
        "max_ratio": lambda: max(ratios),
        "mean_step": lambda: sum(map(abs, steps)) / len(steps),
        "path": lambda: sum(map(abs, steps)),
        "net": lambda: trace["after"][-1] - trace["before"][0],
        "mean_m_hat": lambda: sum(map(abs, trace["m_hat"])) / len(steps),
        "mean_sqrt_v_hat": lambda: sum(v ** 0.5 for v in trace["v_hat"]) / len(steps),
    }
    return number(numbers[what]())


@value(runs=STEP5)
def adam_stat(page, param: str, what: str, beta1: float = None, beta2: float = None, run: int = None):
    """A fact about one watched parameter over the whole run (what=grad_rms, mean_ratio, zero_grads, ...).

    what= one of STATS: grad_rms, mean_ratio, max_ratio, mean_step, path, net, zero_grads, moved_without_grad,
    first_grad, grad_sign_changes, m_sign_changes, steps_above_lr, mean_m_hat, mean_sqrt_v_hat;
    beta1=, beta2= replay the same gradients with other betas (a counterfactual)."""
    if what not in STATS:
        raise DirectiveError(f"what={what!r}: one of {', '.join(STATS)}")
    run = page.run(run)
    return stat(trace_of(run, param, beta1, beta2), what)


@value(runs=STEP5)
def adam_state_numbers(page, run: int = None):
    """How many numbers Adam keeps besides the parameters: an m and a v for each (in the run's last snapshot)."""
    run = page.run(run)
    state = run.optimizer(len(run.steps))
    return fmt_int(sum(len(row) for part in ("m", "v") for matrix in state[part].values() for row in matrix))


@value(runs=STEP5)
def first_step_moves(page, what: str, run: int = None):
    """How every parameter moved at training step 1, from snapshots 0 and 1 (what=still, moved, min_ratio, max_ratio).

    what=still (how many did not move), moved (how many did), min_ratio or max_ratio (the smallest and largest
    |move| / lr_t among those that moved, 4 digits)."""
    run = page.run(run)
    before, after = run.snapshot(0), run.snapshot(1)
    lr = run.record(1)["lr"]
    moves = [abs(a - b) for name in before for r0, r1 in zip(before[name], after[name]) for a, b in zip(r0, r1)]
    moved = [m / lr for m in moves if m != 0]
    found = {"still": lambda: fmt_int(len(moves) - len(moved)), "moved": lambda: fmt_int(len(moved)),
             "min_ratio": lambda: number(min(moved)), "max_ratio": lambda: number(max(moved))}
    if what not in found:
        raise DirectiveError(f"what={what!r}: one of {', '.join(found)}")
    return found[what]()


@value(runs=STEP5)
def adam_param(page, param: str, run: int = None):
    """A watched parameter as the pages write it (lm_head -> lm_head[0][0])."""
    return label(entry_of(page.run(run), param))


@value(runs=STEP5)
def adam_docs_without(page, char: str, run: int = None):
    """How many of the training steps' names have no `char` in them (wte's row of that letter gets no gradient)."""
    run = page.run(run)
    run.token_id(char)
    return fmt_int(sum(1 for record in run.steps if char not in record["doc"]))


@value(runs=STEP5)
def adam_first_ratio(page, a: str, b: str, run: int = None):
    """How many times larger in size the first gradient of watched parameter `a` is than that of `b` (2 digits)."""
    run = page.run(run)
    ga, gb = trace_of(run, a)["grad"][0], trace_of(run, b)["grad"][0]
    if gb == 0:
        raise DirectiveError(f"b={b!r}: its first gradient is 0")
    return svg.fmt(abs(ga) / abs(gb), 2)


@value(runs=STEP5)
def adam_grad_ratio(page, a: str, b: str, run: int = None):
    """How many times larger the gradient of watched parameter `a` is than that of `b`, by their rms over training."""
    run = page.run(run)
    return svg.fmt(rms(trace_of(run, a)["grad"]) / rms(trace_of(run, b)["grad"]), 2)


# ---------------------------------------------------------------- tables


def param_heads(run):
    return [f"<code>{escape(label(e))}</code>" for e in watched(run)]


@table(runs=STEP5)
def adam_first_update(page, run: int = None):
    """Adam's first update of every watched parameter, worked through: g, m, v, m_hat, v_hat, the step, the value."""
    run = page.run(run)
    traces = [replayed(run)[label(e)] for e in watched(run)]
    b1, b2 = setting("beta1"), setting("beta2")
    lr = traces[0]["lr"][0]
    rows = [
        ["<code>p.grad</code>, the gradient g", lambda t: t["grad"][0]],
        [f"<code>m</code> = (1 − {svg.fmt(b1)}) × g", lambda t: t["m"][0]],
        [f"<code>v</code> = (1 − {svg.fmt(b2)}) × g²", lambda t: t["v"][0]],
        [f"<code>m_hat</code> = m / (1 − {svg.fmt(b1)})", lambda t: t["m_hat"][0]],
        [f"<code>v_hat</code> = v / (1 − {svg.fmt(b2)})", lambda t: t["v_hat"][0]],
        [f"the step, {number(lr)} × m_hat / (√v_hat + ε)", lambda t: t["step"][0]],
        ["<code>p.data</code> before", lambda t: t["before"][0]],
        ["<code>p.data</code> after", lambda t: t["after"][0]],
    ]
    body = [[head] + [number(get(t)) for t in traces] for head, get in rows]
    caption = f"Training step 1 (lr_t = {number(lr)}), for each watched parameter"
    return adam_table(headed_table(caption, ["what Adam computes"] + param_heads(run), body, "Adam's first update"))


@table(runs=STEP5)
def bias_table(page, param: str, steps: int = BIAS_STEPS, run: int = None):
    """The first `steps` training steps of one watched parameter: g, m as the run kept it, 1 - beta1^t and m_hat."""
    run = page.run(run)
    if not 1 <= steps <= len(run.steps):
        raise DirectiveError(f"steps={steps}: 1 to {len(run.steps)}")
    trace = trace_of(run, param)
    b1 = setting("beta1")
    rows = [[str(t), number(trace["grad"][t - 1]), number(trace["m"][t - 1]), one_minus(b1 ** t),
             number(trace["m_hat"][t - 1])] for t in range(1, steps + 1)]
    heads = ["step t", "gradient g", "m (kept by the run)", f"1 − {svg.fmt(b1)}<sup>t</sup>",
             "m_hat = m / (1 − β1<sup>t</sup>)"]
    caption = f"<code>{escape(label(entry_of(run, param)))}</code>, its first {fmt_int(steps)} training steps"
    return adam_table(headed_table(caption, heads, rows, f"Bias correction of {label(entry_of(run, param))}"))


@table(runs=STEP5)
def adam_scales(page, run: int = None):
    """Each watched parameter: how large its gradients are (rms) against how far Adam moves it (mean |step|, / lr_t)."""
    run = page.run(run)
    rows = []
    for e in watched(run):
        t = replayed(run)[label(e)]
        rows.append([f"<code>{escape(label(e))}</code>", stat(t, "grad_rms"), stat(t, "mean_step"),
                     stat(t, "mean_ratio")])
    heads = ["parameter", "gradient, rms over training", "Adam's step, mean size", "mean of |step| ÷ lr_t"]
    return adam_table(headed_table(f"The watched parameters over the {fmt_int(len(run.steps))} training steps", heads,
                                   rows, "Gradient sizes and step sizes"))


@table(runs=STEP5)
def bias_factors(page, betas: str, at: str, run: int = None):
    """1 - beta^t for each beta (betas=beta1,0.9) at steps t (at=1,10,1000), and each average's memory 1/(1 - beta)."""
    run = page.run(run)
    found = [beta_of(b.strip()) for b in betas.split(",") if b.strip()]
    try:
        ts = [int(t) for t in at.split(",") if t.strip()]
    except ValueError:
        raise DirectiveError(f"at={at!r}: a list of steps, e.g. at=1,10,100,1000") from None
    if not found or not ts or min(ts) < 1:
        raise DirectiveError("betas= and at= each need one or more entries; steps count from 1")
    own = {setting("beta1"): "β1 of the run", setting("beta2"): "β2 of the run"}
    rows = [[f"{svg.fmt(b, 6)}" + (f" ({own[b]})" if b in own else ""), svg.fmt(1 / (1 - b), 3)]
            + [one_minus(b ** t) for t in ts] for b in found]
    heads = ["β", "memory (steps)"] + [f"t = {fmt_int(t)}" for t in ts]
    return adam_table(headed_table("1 − β<sup>t</sup>, what bias correction divides by at step t, for each β;"
                                   " and the memory of its average, 1 / (1 − β) steps", heads, rows,
                                   "Bias correction factors"))


def adam_table(html):
    """A table of these pages: compact numbers (step5.css)."""
    return f'<div class="mgv-adam-table">{html}</div>'


def running(values, window):
    return [float(f"{v:.4g}") for v in running_mean(values, window)]


def check_window(run, window):
    if not 1 <= window <= len(run.steps):
        raise DirectiveError(f"window={window}: 1 to {len(run.steps):,} steps")


def relative_steps(trace):
    """|step| / lr_t at every training step: how far the parameter moved, in learning rates."""
    return [abs(s) / lr for s, lr in zip(trace["step"], trace["lr"])]


def relative_means(run, window):
    """For each watched parameter, the running mean over `window` of |step| / lr_t."""
    return [running_mean(relative_steps(replayed(run)[label(e)]), window) for e in watched(run)]


ONE_LR = {"value": 1, "label": "a step of lr_t"}


@table(runs=STEP5)
def adam_steps_chart(page, window: int = 50, run: int = None):
    """How far Adam moved each watched parameter per step, in learning rates (|step| / lr_t, a running mean)."""
    run = page.run(run)
    check_window(run, window)
    n = len(run.steps)
    series = [{"name": f"{label(e)}, mean of the last {window}", "values": [float(f"{v:.4g}") for v in means],
               "tone": tone, "weight": "normal"}
              for tone, e, means in zip(PARAM_TONES, watched(run), relative_means(run, window))]
    return svg.line_chart(series, uid="adam-steps", x=range(1, n + 1), x_min=0, y_min=0, x_title="training step",
                          y_title="|step| ÷ lr_t", reference=ONE_LR,
                          title=f"How far Adam moved each watched parameter at each of the {n:,} training steps, in"
                                f" units of that step's learning rate (|step| ÷ lr_t), as a running mean over {window}"
                                " steps")


@value(runs=STEP5)
def adam_steps_band(page, which: str, window: int = 50, run: int = None):
    """The band of the watched parameters' |step| / lr_t (running means) from step `window` on: which=low, high, spread.

    which=low (the smallest), high (the largest) or spread (the most they are apart, largest / smallest), 2 digits."""
    run = page.run(run)
    check_window(run, window)
    at = list(zip(*relative_means(run, window)))[window - 1:]
    found = {"low": lambda: min(map(min, at)), "high": lambda: max(map(max, at)),
             "spread": lambda: max(max(a) / min(a) for a in at)}
    if which not in found:
        raise DirectiveError(f"which={which!r}: one of {', '.join(found)}")
    return svg.fmt(found[which](), 2)


@table(runs=STEP5)
def adam_betas_chart(page, param: str, beta1: float, beta2: float, window: int = 50, run: int = None):
    """One watched parameter's |step| / lr_t with the run's betas and, as a counterfactual, with beta1=, beta2=.

    Both are running means over `window`; the counterfactual replays the same recorded gradients through Adam."""
    run = page.run(run)
    check_window(run, window)
    n = len(run.steps)
    for b in (beta1, beta2):
        if not 0 <= b < 1:
            raise DirectiveError(f"beta {b}: at least 0 and less than 1")
    own, other = trace_of(run, param), trace_of(run, param, beta1, beta2)
    b1, b2 = setting("beta1"), setting("beta2")
    name = label(entry_of(run, param))
    series = [
        {"name": f"the run: β1 {svg.fmt(b1)}, β2 {svg.fmt(b2)}", "values": running(relative_steps(own), window),
         "tone": 0, "weight": "thick"},
        {"name": f"counterfactual: β1 {svg.fmt(beta1)}, β2 {svg.fmt(beta2)}, the same gradients",
         "values": running(relative_steps(other), window), "tone": 3, "weight": "normal"},
    ]
    uid = "adam-betas-" + re.sub(r"[^a-z0-9]+", "-", name).strip("-")
    return svg.line_chart(series, uid=uid, x=range(1, n + 1), x_min=0, y_min=0, x_title="training step",
                          y_title="|step| ÷ lr_t", reference=ONE_LR,
                          title=f"{name}: how far it moved at each step, in learning rates (running mean over {window}"
                                f" steps), with the run's betas, and recomputed from the same gradients with"
                                f" β1 {svg.fmt(beta1)} and β2 {svg.fmt(beta2)}",
                          caption=f"The counterfactual line is not a run: it is microgpt's Adam with"
                                  f" β1 {svg.fmt(beta1)} and β2 {svg.fmt(beta2)}, fed the gradients this run recorded"
                                  f" for {name}. Another Adam would have changed the model, and so the gradients too.")


# ---------------------------------------------------------------- 5.2: the beta slider


@value(runs=STEP5)
def beta_window(page, run: int = None):
    """How many training steps the beta slider's first chart shows by default (its window)."""
    page.run(run)
    return fmt_int(WINDOW)


@value(runs=STEP5)
def bias_steps(page, run: int = None):
    """How many first training steps the beta slider's bias-correction chart (and bias_table) show by default."""
    page.run(run)
    return fmt_int(BIAS_STEPS)


def slider_sentence(grads, m, beta, own, common):
    """What the beta slider's live line says for one beta (adam.js says the same, from its own numbers)."""
    keep = round(beta * 100)
    tag = " (the run’s)" if beta == own else " (Adam’s usual)" if beta == common else ""
    m_hat = m[0] / (1 - beta)
    memory = svg.fmt(1 / (1 - beta), 3)
    return (f"β1 = {beta:.2f}{tag}: each step m keeps {keep}% of itself and adds {100 - keep}% of the new gradient,"
            f" a memory of about {memory} step{'' if memory == '1' else 's'}. Over the {fmt_int(len(grads))} steps"
            f" m changes sign {fmt_int(sign_changes(m))} times, the gradient {fmt_int(sign_changes(grads))} times."
            f" At step 1, m is {number(m[0])} and m_hat is {number(m_hat)}.")


def slider_charts(name, grads, m, beta, window, bias_steps):
    """The two charts of the beta slider for one beta: the gradient and m over the first `window` steps, and the
    gradient, m and m_hat over the first `bias_steps` (adam.js draws the same with MGV.kit.markup.line)."""
    b = f"{beta:.2f}"
    m_hat = [v / (1 - beta ** t) for t, v in enumerate(m[:bias_steps], start=1)]
    first = svg.line_chart(
        [{"name": "gradient g", "values": grads[:window], "tone": 2, "weight": "thin"},
         {"name": f"m, β1 = {b}", "values": m[:window], "tone": 0, "weight": "thick"}],
        uid="beta-avg", x=range(1, window + 1), x_min=0, x_title="training step", y_title="gradient",
        title=f"The gradient of {name} at each of the first {window:,} training steps, and its running average m"
              f" with β1 = {b}", height=300)
    second = svg.line_chart(
        [{"name": "gradient g", "values": grads[:bias_steps], "tone": 2, "weight": "thin"},
         {"name": f"m, β1 = {b}", "values": m[:bias_steps], "tone": 0, "weight": "thick"},
         {"name": "m_hat = m / (1 − β1^t)", "values": m_hat, "tone": 1, "weight": "normal"}],
        uid="beta-bias", x=range(1, bias_steps + 1), x_min=0, x_title="training step", y_title="gradient",
        title=f"The first {bias_steps} steps of {name}: the gradient, m with β1 = {b}, and m_hat, m corrected for its"
              " start at 0", height=260)
    return first, second


@player(runs=STEP5)
def beta_slider_player(page, param: str, window: int = WINDOW, run: int = None):
    """A beta1 slider over one watched parameter's real gradients: the gradient against its running average m.

    A second chart shows m against m_hat in the first steps (bias correction). The browser recomputes m from the
    exact gradients."""
    run = page.run(run)
    n = len(run.steps)
    if not BIAS_STEPS <= window <= n:
        raise DirectiveError(f"window={window}: the first chart shows steps 1 to window, {BIAS_STEPS} to {n:,}")
    entry = entry_of(run, param)
    name = label(entry)
    trace = replayed(run)[name]
    grads, m = trace["grad"], trace["m"]   # m: the run's own, with the code's beta1
    own, common = setting("beta1"), 0.9
    data = {
        "param": name, "beta": own, "common": common, "window": window, "bias_steps": BIAS_STEPS,
        # exact (repr): the browser runs the average itself, and at the code's beta1 it must give the run's m
        "grads": [repr(g) for g in grads],
    }
    url = frames_file(page, f"generated/step5/beta-slider-{name}.json".replace("[", "-").replace("]", ""), data)
    # what shows without JavaScript: the run's own m (6 significant digits, as a frame file would keep them)
    keep = lambda values: [float(f"{v:.6g}") for v in values]   # noqa: E731
    first, second = slider_charts(name, keep(grads), keep(m), own, window, BIAS_STEPS)
    say = slider_sentence(grads, m, own, own, common)
    fallback = (f'<p class="mgv-beta-summary">{escape(say)}</p>'
                f'<div class="mgv-beta-chart mgv-beta-avg">{first}</div>'
                f'<div class="mgv-beta-chart mgv-beta-bias">{second}</div>')
    return render.player_shell("beta-slider", url, fallback,
                               f"The gradient of <code>{escape(name)}</code> and its running average, β1 = {own:.2f}")


# ---------------------------------------------------------------- 5.3: Adam, step by step


ROWS = [
    ("p.grad", "g, the gradient"),
    ("self.m[i]", "m, the running average of g"),
    ("self.v[i]", "v, the running average of g²"),
    ("m_hat", "m / (1 − β1ᵗ)"),
    ("v_hat", "v / (1 − β2ᵗ)"),
    ("v_hat**0.5", "√v_hat, a typical size of g"),
    ("p.data -=", "the step: lr_t × m_hat / (√v_hat + ε)"),
    ("p.data", "the parameter, after the step"),
]


def steps_sentence(k, lr, names, traces):
    parts = []
    for name, t in zip(names, traces):
        part = f"{number(t['step'][k - 1])} from {name}"
        if t["grad"][k - 1] == 0 and t["step"][k - 1] != 0:
            part += " (its gradient was 0: m alone moved it)"
        elif t["grad"][k - 1] == 0:
            part += " (no gradient yet, and m is 0: it stays)"
        parts.append(part)
    return (f"Training step {fmt_int(k)}, lr_t = {number(lr)}. Adam subtracts " + ", ".join(parts[:-1])
            + f" and {parts[-1]}.")


def steps_frame(k, names, traces):
    cells = []
    for t in traces:
        i = k - 1
        cells.append([number(t["grad"][i]), number(t["m"][i]), number(t["v"][i]), number(t["m_hat"][i]),
                      number(t["v_hat"][i]), number(t["v_hat"][i] ** 0.5), number(t["step"][i]), number(t["after"][i])])
    return {"step": k, "lr": number(traces[0]["lr"][k - 1]), "cells": [list(row) for row in zip(*cells)],
            "say": steps_sentence(k, traces[0]["lr"][k - 1], names, traces)}


def steps_table(names, frame):
    heads = ["line of <code>Adam.step</code>"] + [f"<code>{escape(n)}</code>" for n in names]
    rows = [[f'<code>{escape(code)}</code><span class="mgv-adam-note">{escape(note)}</span>'] + list(values)
            for (code, note), values in zip(ROWS, frame["cells"])]
    caption = (f'Training step <span class="mgv-adam-k">{fmt_int(frame["step"])}</span>,'
               f' lr_t = <span class="mgv-adam-lr">{frame["lr"]}</span>')
    return adam_table(headed_table(caption, heads, rows, "Adam at one training step"))


@player(runs=STEP5)
def adam_steps_player(page, steps: str = "1-12,20,50,100,200,500,1000", run: int = None):
    """Step through Adam's update at chosen training steps: every number of Adam.step, for each watched parameter."""
    run = page.run(run)
    ks = steps_list(run, steps)
    names = [label(e) for e in watched(run)]
    traces = [replayed(run)[n] for n in names]
    frames = [steps_frame(k, names, traces) for k in ks]
    data = {"params": names, "rows": [list(r) for r in ROWS], "frames": frames}
    url = frames_file(page, f"generated/step5/adam-steps-{ks[0]}-{ks[-1]}-{len(ks)}.json", data)
    last = frames[-1]
    fallback = f'<p class="mgv-adam-summary">{escape(last["say"])}</p>{steps_table(names, last)}'
    return render.player_shell("adam-steps", url, fallback,
                               f"Adam's update of the watched parameters at {fmt_int(len(ks))} training steps,"
                               f" from step {fmt_int(ks[0])} to {fmt_int(ks[-1])}")
