"""Training the missing runs in worker processes, with progress.

Each miss is one worker: `INTERPRETER -m microgpt.record --step N ...`, a
fresh process, so what trains is the code on disk now; under PyPy when it is
there (hooks.runs.choose_interpreter). At most as many workers run as there
are usable cores; the quick steps go first (their pages appear soonest under
`mkdocs serve`), then the longest. A worker reports `@progress DONE TOTAL` on
stderr after every training step and writes its run to a temporary file,
which is renamed into the cache the moment it is complete.

- A failing worker: its step is named and its own traceback shown.
- Ctrl-C or SIGTERM while a build waits: every worker is stopped. Workers
  also watch their stdin, which closes when this process dies however it
  dies, so none outlives the build or `mkdocs serve` that started it.
- Two builds at once: a lock per entry; the second waits for the first's
  run instead of training it again.
"""

import fcntl
import math
import os
import signal
import subprocess
import threading
import time
from contextlib import contextmanager

from hooks.runs import ROOT, RunError

# Rough CPython seconds per 1,000 steps on one core (MICROGPT-SPEC.md), to order the queue.
COST = {0: 0.2, 1: 8, 2: 190, 3: 325, 4: 345, 5: 310}
QUICK = 10
REPORT_EVERY = 10.0  # seconds between progress lines while waiting
TAIL = 60            # stderr lines kept from a worker, for its traceback


def usable_cores():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def format_left(seconds):
    if seconds < 60:
        return f"about {max(5, int(math.ceil(seconds / 5.0)) * 5)} s left"
    return f"about {int(round(seconds / 60.0))} min left"


class Job:
    """One run being trained, or waiting to be."""

    def __init__(self, entry, interpreter):
        self.entry = entry
        self.step = entry.step
        self.interpreter = interpreter
        self.state = "queued"          # queued, elsewhere, running, done, failed, cancelled
        self.done = 0
        self.total = entry.settings["num_steps"]
        self.started = None            # when training began (time.monotonic)
        self.first_progress = None     # (time, done) of the first report, for the rate
        self.seconds = None
        self.error = None
        self.process = None
        self.lock = None
        self.tail = []

    @property
    def finished(self):
        return self.state in ("done", "failed", "cancelled")

    def cost(self):
        return COST.get(self.step, 300) * self.total / 1000

    def describe(self):
        """'step 3: 412/1000, about 2 min left'."""
        if self.state == "queued":
            return f"step {self.step}: waiting for a free core"
        if self.state == "elsewhere":
            return f"step {self.step}: being trained by another build"
        if self.state == "failed":
            return f"step {self.step}: training failed (the console shows why)"
        text = f"step {self.step}: {self.done}/{self.total}"
        left = self.seconds_left()
        return f"{text}, {format_left(left)}" if left is not None else f"{text}, starting"

    def seconds_left(self):
        if not self.first_progress or self.done <= self.first_progress[1]:
            return None
        since, done_then = self.first_progress
        rate = (self.done - done_then) / max(time.monotonic() - since, 1e-6)
        return (self.total - self.done) / rate


class Trainer:
    """Trains entries in the background. One per process: `mkdocs serve` keeps
    it across rebuilds (hooks/guide.py), so a rebuild never restarts a worker."""

    def __init__(self, cache, workers=None, log=None, on_land=None):
        self.cache = cache
        self.workers = workers or usable_cores()
        self.log = log
        self.on_land = on_land   # called with the Job when a run lands in the cache
        self.loud = False        # log failures as they happen (serve: nobody waits to raise them)
        self.jobs = {}           # key -> Job
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)

    # ------------------------------------------------------------ asking

    def submit(self, entries):
        """Train these entries (hooks.runs.Entry) unless already cached, running or queued.
        Returns the jobs, by step."""
        with self.lock:
            jobs, new = {}, []
            for entry in entries:
                job = self.jobs.get(entry.key)
                if job is None or job.state in ("failed", "cancelled") or (
                        job.state == "done" and not entry.path.is_file()):
                    job = self.jobs[entry.key] = Job(entry, self.cache.interpreter)
                    new.append(job)
                jobs[entry.step] = job
            if new:
                steps = ", ".join(str(job.step) for job in sorted(new, key=lambda job: job.step))
                self.say(f"training step {steps} with {self.cache.interpreter_name} on up to {self.workers}"
                         f" core(s): the code, data or settings changed since the last cached run")
            self.schedule()
            return jobs

    def retain(self, keys):
        """Cancel the queued or running jobs whose key the build no longer wants
        (the code changed while they trained)."""
        with self.lock:
            for key, job in list(self.jobs.items()):
                if key not in keys and not job.finished:
                    self.cancel(job)

    def status(self, key):
        with self.lock:
            return self.jobs.get(key)

    def wait(self, jobs, say=None, every=REPORT_EVERY):
        """Block until every job has finished, with a progress line at least every
        `every` seconds. Raises RunError if one failed. Ctrl-C / SIGTERM stop them all."""
        say = say or self.say
        last = time.monotonic()
        with stopping_on_signals(self):
            with self.lock:
                while not all(job.finished for job in jobs):
                    self.changed.wait(timeout=min(every, 1.0))
                    if time.monotonic() - last >= every:
                        busy = [job.describe() for job in jobs if not job.finished]
                        say("training: " + "; ".join(busy))
                        last = time.monotonic()
        failed = [job for job in jobs if job.state != "done"]
        if failed:
            raise RunError("\n".join(job.error or f"training step {job.step} was {job.state}" for job in failed))

    def stop_all(self):
        with self.lock:
            for job in self.jobs.values():
                if not job.finished:
                    self.cancel(job)

    # ------------------------------------------------------------ running

    def schedule(self):
        """Start queued jobs while there are free cores: quick steps first, then the longest."""
        running = sum(job.state in ("running",) for job in self.jobs.values())
        queued = [job for job in self.jobs.values() if job.state == "queued"]
        queued.sort(key=lambda job: (job.cost() >= QUICK, -job.cost()))
        for job in queued:
            if running >= self.workers:
                break
            if self.start(job):
                running += 1

    def start(self, job):
        """Start a worker for the job, unless another build holds its lock. True if started."""
        self.cache.tmp.mkdir(parents=True, exist_ok=True)
        lock = open(self.cache.tmp / f"{job.entry.path.stem}.lock", "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            if job.state != "elsewhere":
                job.state = "elsewhere"
                threading.Thread(target=self.watch_elsewhere, args=(job,), daemon=True).start()
            return False
        if job.entry.path.is_file():  # another build finished it meanwhile
            lock.close()
            self.finish(job, "done")
            return False
        job.lock = lock
        job.out = self.cache.tmp / f"{job.entry.path.stem}.{os.getpid()}.partial"
        import json

        command = [self.cache.interpreter, "-m", "microgpt.record", "--step", str(job.step),
                   "--settings", json.dumps(job.entry.settings), "--out", str(job.out), "--watch-stdin"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this project's microgpt, whatever else is installed
        try:
            job.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                           start_new_session=True)  # Ctrl-C reaches us; we stop them
        except OSError as err:
            self.release(job)
            job.error = f"training step {job.step} could not start {self.cache.interpreter}: {err}"
            self.finish(job, "failed")
            return False
        job.state = "running"
        job.started = time.monotonic()
        self.say(f"started step {job.step} ({job.total:,} steps)")
        threading.Thread(target=self.follow, args=(job,), daemon=True).start()
        return True

    def follow(self, job):
        """In a thread: read the worker's stderr until it exits, then land or fail the run."""
        for line in job.process.stderr:
            if line.startswith("@progress "):
                parts = line.split()
                with self.lock:
                    job.done = int(parts[1])
                    if job.first_progress is None:
                        job.first_progress = (time.monotonic(), job.done)
                    self.changed.notify_all()
            else:
                job.tail.append(line.rstrip("\n"))
                del job.tail[:-TAIL]
        code = job.process.wait()
        with self.lock:
            job.seconds = time.monotonic() - job.started
            if job.state == "cancelled":
                pass
            elif code == 0:
                try:
                    self.cache.store(job.out, job.entry)
                except (OSError, ValueError) as err:
                    job.error = f"training step {job.step}: cannot save the run to {job.entry.path}: {err}"
                    self.finish(job, "failed")
                else:
                    self.say(f"trained step {job.step} in {job.seconds:.1f} s (cached for the next build)")
                    self.finish(job, "done")
            else:
                traceback = "\n".join("    " + line for line in job.tail) or "    (the worker printed nothing)"
                job.error = (f"training step {job.step} failed (the worker exited with {code}); "
                             f"its output:\n{traceback}")
                self.finish(job, "failed")
            self.release(job)
            self.schedule()

    def watch_elsewhere(self, job):
        """Another build trains this entry: wait for it to land, or for its lock to free."""
        while True:
            time.sleep(1.0)
            with self.lock:
                if job.state != "elsewhere":
                    return
                if job.entry.path.is_file():
                    self.finish(job, "done")
                    return
                job.state = "queued"
                self.schedule()
                if job.state != "elsewhere":
                    return

    def finish(self, job, state):
        job.state = state
        self.changed.notify_all()
        if state == "failed" and self.loud and self.log is not None:
            self.log.error(job.error)
        if state == "done" and self.on_land:
            self.on_land(job)

    def cancel(self, job):
        job.state = "cancelled"
        if job.process and job.process.poll() is None:
            stop_process(job.process)
        self.release(job)
        self.changed.notify_all()

    def release(self, job):
        if job.lock:
            job.lock.close()
            job.lock = None
        out = getattr(job, "out", None)
        if out is not None and job.state != "done":
            try:
                out.unlink()
            except OSError:
                pass

    def say(self, message):
        if self.log is not None:
            self.log.info(message)


def stop_process(process, grace=3.0):
    """SIGTERM, then SIGKILL if it has not gone after `grace` seconds."""
    try:
        process.terminate()
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    except OSError:
        pass


@contextmanager
def stopping_on_signals(trainer):
    """While waiting in the main thread: SIGTERM acts like Ctrl-C, and either stops every worker."""
    in_main = threading.current_thread() is threading.main_thread()
    previous = None
    if in_main:
        def interrupt(signum, frame):
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    except KeyboardInterrupt:
        trainer.stop_all()
        trainer.say("stopped: every training worker was ended")
        raise
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
