"""The scheduler of a simulated Ollama, as ollama v0.17.4's `server/sched.go` describes it (no model runs).

What is modelled, with the sched.go construct it follows:
- runners are keyed by the model's blob (`schedulerModelKey` = ModelPath): tags made by `ollama cp`
  share one runner (`SimModel.blob`);
- a request for a resident model that needs no reload takes it at once (`GetRunner` ->
  `useLoadedRunner`); any other request queues (`pendingReqCh`, `OLLAMA_MAX_QUEUE`, then 503) and one
  pending request is scheduled at a time (`processPending`): it reuses, reloads (runner options
  changed: `needsReload`), loads when fewer than `OLLAMA_MAX_LOADED_MODELS` are resident (0 means the
  CPU default, 3 = `defaultModelsPerGPU`), or else evicts one and waits for the unload;
- the runner to evict (`findRunnerToUnload`): sorted by keep_alive (shortest first; "forever" last),
  then by model path; the first idle one, else the first (it is unloaded when its requests finish);
- a load blocks the pending queue for the runner start (`Scheduler.load` -> `llama.Load`) and then
  loads the weights in the background (`go s.loadModel()` in the runner): requests wait for it;
- each runner serves `OLLAMA_NUM_PARALLEL` requests at a time (the runner's semaphore), the rest wait;
- when a runner goes idle it expires after its keep_alive (`processCompleted`): 0 unloads at once, a
  negative keep_alive never (`api.Duration` maps it to MaxInt64); each request with `keep_alive`
  resets the runner's duration; `expires_at` is set when it goes idle, as `/api/ps` shows it.
Memory fit (VRAM/RAM estimates) is not modelled: a model always fits below the runner limit.
Time is simulated: every duration here is in simulated seconds, `SimClock.scale` of them per real second.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

FOREVER = math.inf
"""A negative keep_alive: Go's time.Duration(math.MaxInt64), i.e. about 292 years."""
_GO_MAX_DURATION_SECONDS = (2**63 - 1) / 1e9
CPU_DEFAULT_MAX_LOADED = 3  # defaultModelsPerGPU * max(len(gpus), 1) with no GPU
RUNNER_OPTION_DEFAULTS: dict[str, Any] = {"num_ctx": 4096, "num_batch": 512, "num_gpu": -1, "main_gpu": 0,
                                          "use_mmap": None, "num_thread": 0}
"""api.Runner: a change in any of these between requests reloads the model (`needsReload`)."""


class ServerBusy(Exception):
    """ErrMaxQueue: more than OLLAMA_MAX_QUEUE requests are waiting to be scheduled."""

    message = "server busy, please try again.  maximum pending requests exceeded"


_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)")


def parse_go_duration(text: str) -> float:
    """Go's time.ParseDuration ("1h30m", "300ms", "-1m", "0"), in seconds; ValueError with Go's message."""
    body, sign = text, 1.0
    if body[:1] in "+-" and body:
        sign, body = (-1.0 if body[0] == "-" else 1.0), body[1:]
    if body == "0":
        return 0.0
    if not body:
        raise ValueError(f'time: invalid duration "{text}"')
    total, position = 0.0, 0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        if match is None or match.group(1) in ("", "."):
            unit_missing = re.fullmatch(r"[\d.]+", body[position:]) is not None
            raise ValueError(f'time: {"missing unit in" if unit_missing else "invalid"} duration "{text}"')
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    return sign * total


def parse_keep_alive(value: Any) -> float | None:
    """A request's `keep_alive` as api.Duration reads it: seconds (negative = forever) or a Go duration."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        type_name = {bool: "bool", list: "[]interface {}", dict: "map[string]interface {}"}.get(type(value), "?")
        raise ValueError(f"Unsupported type: '{type_name}'")
    seconds = parse_go_duration(value) if isinstance(value, str) else float(value)
    return FOREVER if seconds < 0 else seconds


def parse_env_keep_alive(value: str | None) -> float:
    """OLLAMA_KEEP_ALIVE (envconfig.KeepAlive): a Go duration or integer seconds; default 5m."""
    if not value:
        return 300.0
    try:
        seconds = parse_go_duration(value)
    except ValueError:
        try:
            seconds = float(int(value))
        except ValueError:
            return 300.0
    return FOREVER if seconds < 0 else seconds


@dataclass(frozen=True)
class SimModel:
    """One tag the simulated server lists, with the costs of serving it."""

    name: str
    load_seconds: float = 2.0
    """Loading the weights once the runner has started (overlaps other loads)."""
    prefill_tokens_per_second: float = 500.0
    decode_tokens_per_second: float = 50.0
    reply_tokens: int = 24
    """Tokens generated when the request sets no smaller `num_predict`."""
    size_bytes: int = 270_000_000
    family: str = "llama"
    parameter_size: str = "135M"
    quantization_level: str = "Q4_1"
    blob: str | None = None
    """Tags with the same blob share one runner (as `ollama cp` tags of one GGUF do); default: the name."""

    @property
    def key(self) -> str:
        return self.blob or self.name

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.key.encode()).hexdigest()

    @property
    def model_path(self) -> str:
        """Where Ollama keeps the blob; the eviction tie-break sorts by it."""
        return f"blobs/sha256-{self.digest}"


@dataclass(frozen=True)
class SimSettings:
    """The server's environment (envconfig), plus the simulation's own knobs."""

    max_loaded_models: int = 0
    """OLLAMA_MAX_LOADED_MODELS; 0 = Ollama's default (3 on a CPU-only machine)."""
    num_parallel: int = 1
    """OLLAMA_NUM_PARALLEL (default 1)."""
    keep_alive: float = 300.0
    """OLLAMA_KEEP_ALIVE in seconds (FOREVER for a negative value)."""
    max_queue: int = 512
    """OLLAMA_MAX_QUEUE."""
    runner_start_seconds: float = 0.5
    """The part of a load that blocks the pending queue (runner process start, memory layout)."""
    parallel_slowdown: float = 0.0
    """Each further request decoding on the same runner slows each by this fraction (0 = ideal batching)."""
    time_scale: float = 1.0
    """Simulated seconds per real second."""

    @property
    def max_runners(self) -> int:
        return self.max_loaded_models if self.max_loaded_models > 0 else CPU_DEFAULT_MAX_LOADED


class SimClock:
    """Simulated time: `scale` simulated seconds pass per real second; wall time starts at creation."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self._start = time.monotonic()
        self._wall = datetime.now(timezone.utc)

    def now(self) -> float:
        return (time.monotonic() - self._start) * self.scale

    def wall(self, at: float | None = None) -> datetime:
        at = self.now() if at is None else at
        return self._wall + timedelta(seconds=min(at, _GO_MAX_DURATION_SECONDS))

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0) / self.scale)

    def call_later(self, seconds: float, callback: Any) -> asyncio.TimerHandle:
        return asyncio.get_running_loop().call_later(seconds / self.scale, callback)


@dataclass
class Counters:
    """What happened per runner key (a model's blob): for tests and the benchmark."""

    loads: Counter[str] = field(default_factory=Counter)
    unloads: Counter[str] = field(default_factory=Counter)
    evictions: Counter[str] = field(default_factory=Counter)
    """Unloads the scheduler forced to make room for another model (a subset of unloads)."""
    reloads: Counter[str] = field(default_factory=Counter)
    expirations: Counter[str] = field(default_factory=Counter)
    """Unloads because keep_alive ran out (including keep_alive 0 and the explicit unload request)."""
    requests: Counter[str] = field(default_factory=Counter)
    peak_parallel: Counter[str] = field(default_factory=Counter)
    events: list[tuple[float, str, str]] = field(default_factory=list)
    """(simulated time, "load"|"loaded"|"unload", runner key), in order."""


@dataclass(eq=False)
class Runner:
    model: SimModel
    options: dict[str, Any]
    session: float
    slots: asyncio.Semaphore
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    refs: int = 0
    active: int = 0
    expires_at: float | None = None
    timer: asyncio.TimerHandle | None = None
    unload_reason: str = "expired"

    @property
    def key(self) -> str:
        return self.model.key

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


def runner_options(options: dict[str, Any] | None) -> dict[str, Any]:
    merged = {key: (options or {}).get(key, default) for key, default in RUNNER_OPTION_DEFAULTS.items()}
    merged["num_ctx"] = max(int(merged["num_ctx"] or 0), 4)
    return merged


@dataclass(eq=False)
class _Pending:
    model: SimModel
    options: dict[str, Any]
    keep_alive: float | None
    future: asyncio.Future[Runner]


class Scheduler:
    """Runners and the pending queue of one simulated server; all methods run on its event loop."""

    def __init__(self, settings: SimSettings, clock: SimClock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SimClock(settings.time_scale)
        self.loaded: dict[str, Runner] = {}
        self.counters = Counters()
        self._pending: asyncio.Queue[_Pending] = asyncio.Queue(maxsize=max(settings.max_queue, 1))
        self._unloaded: asyncio.Queue[None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._process_pending())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for runner in self.loaded.values():
            runner.cancel_timer()

    async def acquire(self, model: SimModel, options: dict[str, Any] | None, keep_alive: float | None) -> Runner:
        """GetRunner: a runner holding a reference for this request (release it when done)."""
        self.start()
        self.counters.requests[model.key] += 1
        wanted = runner_options(options)
        runner = self.loaded.get(model.key)
        if runner is not None and not _needs_reload(runner, wanted):
            self._use_loaded(runner, keep_alive)
            return runner
        future: asyncio.Future[Runner] = asyncio.get_running_loop().create_future()
        try:
            self._pending.put_nowait(_Pending(model, wanted, keep_alive, future))
        except asyncio.QueueFull:
            raise ServerBusy(ServerBusy.message) from None
        return await future

    def release(self, runner: Runner) -> None:
        """The request's context is done (processCompleted's finished event)."""
        runner.refs -= 1
        if runner.refs > 0:
            return
        if runner.session <= 0:
            runner.cancel_timer()
            self._expire(runner)
        elif runner.session != FOREVER:
            runner.cancel_timer()
            runner.timer = self.clock.call_later(runner.session, lambda: self._expire(runner))
            runner.expires_at = self.clock.now() + runner.session
        else:
            runner.expires_at = self.clock.now() + _GO_MAX_DURATION_SECONDS

    def expire_now(self, model: SimModel) -> None:
        """expireRunner: a request with no messages and keep_alive 0 unloads the model."""
        runner = self.loaded.get(model.key)
        if runner is None:
            return
        runner.expires_at = self.clock.now()
        runner.cancel_timer()
        runner.session = 0
        if runner.refs <= 0:
            self._expire(runner)

    def expires_at(self, runner: Runner) -> datetime:
        """As /api/ps: the idle deadline, or now + keep_alive while it has never gone idle."""
        at = runner.expires_at if runner.expires_at is not None else self.clock.now() + runner.session
        return self.clock.wall(at)

    def _use_loaded(self, runner: Runner, keep_alive: float | None) -> None:
        runner.refs += 1
        runner.cancel_timer()
        if keep_alive is not None:
            runner.session = keep_alive

    async def _process_pending(self) -> None:
        while True:
            pending = await self._pending.get()
            if pending.future.done():  # the client went away while it waited
                continue
            while True:
                runner = self.loaded.get(pending.model.key)
                victim: Runner | None = None
                if runner is not None:
                    if not _needs_reload(runner, pending.options):
                        self._use_loaded(runner, pending.keep_alive)
                        self._hand_over(pending, runner)
                        break
                    victim, victim.unload_reason = runner, "reload"
                elif len(self.loaded) >= self.settings.max_runners:
                    victim = self._runner_to_unload()
                    if victim is not None:
                        victim.unload_reason = "evicted"
                else:
                    await self._load(pending)
                    break
                if victim is None:
                    continue
                victim.cancel_timer()
                victim.session = 0
                if victim.refs <= 0:
                    self._expire(victim)
                await self._unloaded.get()

    async def _load(self, pending: _Pending) -> None:
        """Scheduler.load: start the runner (blocks the queue), then load the weights in the background."""
        model, settings = pending.model, self.settings
        session = pending.keep_alive if pending.keep_alive is not None else settings.keep_alive
        runner = Runner(model, pending.options, session, asyncio.Semaphore(max(settings.num_parallel, 1)))
        self.counters.loads[model.key] += 1
        self.counters.events.append((self.clock.now(), "load", model.key))
        await self.clock.sleep(settings.runner_start_seconds)
        self.loaded[model.key] = runner
        asyncio.get_running_loop().create_task(self._finish_loading(runner, pending))

    async def _finish_loading(self, runner: Runner, pending: _Pending) -> None:
        await self.clock.sleep(runner.model.load_seconds)
        runner.ready.set()
        self.counters.events.append((self.clock.now(), "loaded", runner.key))
        runner.refs += 1
        self._hand_over(pending, runner)

    def _hand_over(self, pending: _Pending, runner: Runner) -> None:
        """Give the runner to the waiting request; if it gave up meanwhile, drop the reference it got."""
        if pending.future.done():
            self.release(runner)
        else:
            pending.future.set_result(runner)

    def _runner_to_unload(self) -> Runner | None:
        """findRunnerToUnload: shortest keep_alive first (forever last), then model path; idle ones first."""
        ordered = sorted(self.loaded.values(), key=lambda r: (r.session, r.model.model_path))
        if not ordered:
            return None
        return next((runner for runner in ordered if runner.refs == 0), ordered[0])

    def _expire(self, runner: Runner) -> None:
        """The expired event: unload when nothing holds the runner (else the last release does it)."""
        runner.cancel_timer()
        # a runner still loading is held until it runs (refMu); its first request's release unloads it
        if runner.refs > 0 or not runner.ready.is_set() or self.loaded.get(runner.key) is not runner:
            return
        del self.loaded[runner.key]
        counters = self.counters
        counters.unloads[runner.key] += 1
        {"evicted": counters.evictions, "reload": counters.reloads}.get(runner.unload_reason,
                                                                       counters.expirations)[runner.key] += 1
        counters.events.append((self.clock.now(), "unload", runner.key))
        self._unloaded.put_nowait(None)


def _needs_reload(runner: Runner, wanted: dict[str, Any]) -> bool:
    existing, new = dict(runner.options), dict(wanted)
    if new["num_gpu"] is not None and new["num_gpu"] < 0:
        existing["num_gpu"] = new["num_gpu"] = -1
    return existing != new

