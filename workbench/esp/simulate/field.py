"""Simulated ESP wells: affinity laws, motor heating, per-well baselines, noise, drift,
sensor faults, and labelled episodes shaped as the classic ammeter charts show them.

Physics (sources: the centrifugal-pump affinity laws, e.g. Gülich, *Centrifugal Pumps*, 3rd
ed., ch. 3; Takács, *Electrical Submersible Pumps Manual*, 2nd ed. (2018), ch. 9 on VSD
operation and ch. 11 on ammeter charts; API RP 11S "Recommended Practice for the Operation,
Maintenance and Troubleshooting of ESP Installations", whose annex shows the classic ammeter
charts: gas locking, pumped-off, gassy fluid, overload, power fluctuations):

- **Affinity laws.** With the VSD at frequency f against the well's base f0 (ratio r = f/f0):
  flow ∝ r, head ∝ r², brake power ∝ r³. The drive holds volts per hertz constant, so motor
  voltage ∝ r and current ∝ power/voltage ∝ r²; shaft torque ∝ power/speed ∝ r².
- **Inflow.** Intake pressure follows a straight-line productivity index:
  pip = p_static − flow / PI. Faster pumping draws the intake down.
- **Motor temperature** = fluid temperature + a rise ∝ (I/I0)² (copper losses) divided by
  a cooling factor that grows with the flow past the motor, through a first-order lag of 20
  minutes (the motor's thermal time constant).
- **Vibration** grows with r² and with solids; **GOR** wanders around the well's own value.
- **Noise and drift**: 1 % white noise plus a slow (2 h) AR(1) wander on flow and current,
  pump wear that takes up to 0.1 % of flow a day, occasional set-point changes of the VSD,
  blank cells (0.1 %), spikes outside the physical range (0.01 %) and repeated rows (0.01 %).

Episodes (labels.csv holds each one's well, start, end and label; all else is normal):

- ``gas_lock``: runs of 25-50 min in which current falls by a third and fluctuates (±12 %)
  while flow collapses and varies, then an underload trip (VSD at 0 Hz, no current, no
  flow) for 15-30 min and a restart, repeating; motor temperature climbs through the
  episode (poor cooling); GOR several times the well's own.
- ``pump_off``: runs of 60-120 min in which intake pressure falls smoothly to near 80 psi
  and current and flow decline gradually, then a shutdown of 30-60 min while the fluid level
  recovers, repeating.
- ``overload`` (solids): current and torque rise together by 25-45 % within 45 minutes and
  stay up, erratic; vibration rises 2.5-4 times; flow drops by a tenth.
- ``underload`` (worn stages, broken shaft, low fluid): current and torque drop to 55-75 %
  within 20 minutes, flow to 40-65 %, intake pressure rises.
- ``gas_interference``: gassy fluid without trips: current fluctuates ±6 %, flow ±10 %.
- ``sensor_fault``: the flow, current and intake gauges freeze at their last values while
  the VSD runs (ingestion rejects them as ``frozen`` after 30 rows).
- ``power_fluctuation``: voltage sags on one feeder: every well on it shows the same current
  spikes (+30-60 %) and VSD frequency dips at the same minutes, for 1-3 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy.signal import lfilter

from workbench.esp.contract.schema import METRICS

EPISODES = ("gas_lock", "pump_off", "overload", "underload", "gas_interference",
            "sensor_fault")
WEIGHTS = (0.2, 0.2, 0.2, 0.2, 0.1, 0.1)
DURATION_H = {"gas_lock": (6, 12), "pump_off": (8, 16), "overload": (8, 24),
              "underload": (8, 24), "gas_interference": (4, 10), "sensor_fault": (2, 6)}
WELLS_PER_FIELD = 10
WELLS_PER_FEEDER = 5


@dataclass(frozen=True)
class SimulationSpec:
    wells: int = 10
    days: int = 14
    seed: int = 1
    cadence_s: int = 60
    start: str = "2025-01-01"
    episode_gap_days: float = 2.0  # mean quiet time between a well's episodes
    power_gap_days: float = 7.0  # mean time between a feeder's power fluctuations
    faults: bool = True  # blank cells, out-of-range spikes and repeated rows


@dataclass
class Simulation:
    wells: pd.DataFrame
    labels: pd.DataFrame
    telemetry: dict[str, pa.Table]  # well_id -> its rows


def _well_table(spec: SimulationSpec, rng: np.random.Generator) -> pd.DataFrame:
    n = spec.wells
    ids = [f"W{i + 1:03d}" for i in range(n)]
    f0 = rng.choice([50.0, 55.0, 60.0], n)
    i0 = rng.uniform(35, 90, n)
    return pd.DataFrame({
        "well_id": ids,
        "field": [f"F{i // WELLS_PER_FIELD + 1}" for i in range(n)],
        "feeder": [f"F{i // WELLS_PER_FIELD + 1}-L{(i % WELLS_PER_FIELD) // WELLS_PER_FEEDER + 1}"
                   for i in range(n)],
        "nameplate_current_a": np.round(i0 / rng.uniform(0.75, 0.9, n), 1),
        "rated_flow_bpd": np.round(rng.uniform(1200, 3500, n), 0),
        "bubble_point_psi": np.round(rng.uniform(800, 2000, n), 0),
        "cadence_s": float(spec.cadence_s),
        "_f0": f0, "_i0": i0,
        "_torque0": rng.uniform(80, 250, n), "_p_static": rng.uniform(1800, 3200, n),
        "_pip0": rng.uniform(700, 1500, n), "_t_fluid": rng.uniform(70, 110, n),
        "_rise0": rng.uniform(25, 45, n), "_vib0": rng.uniform(0.15, 0.5, n),
        "_gor0": rng.uniform(150, 600, n), "_wear": rng.uniform(0, 0.001, n),
    })


def _ar1(rng: np.random.Generator, n: int, sd: float, steps: float) -> np.ndarray:
    """A slow random wander: AR(1) with correlation time ``steps`` samples, std ``sd``."""
    phi = np.exp(-1.0 / steps)
    noise = rng.normal(0, sd * np.sqrt(1 - phi**2), n)
    return lfilter([1.0], [1.0, -phi], noise)


def _lag(values: np.ndarray, steps: float) -> np.ndarray:
    """First-order lag (a motor's thermal inertia) with time constant ``steps`` samples."""
    alpha = 1.0 - np.exp(-1.0 / steps)
    out, _ = lfilter([alpha], [1.0, alpha - 1.0], values, zi=[values[0] * (1 - alpha)])
    return out


def _place(rng, n_steps, per_day, gap_days, durations, busy) -> list[tuple[int, int]]:
    """Non-overlapping [start, end) sample ranges separated by exponential quiet times."""
    placed = []
    t = int(rng.exponential(gap_days) * per_day)
    while t < n_steps:
        length = int(rng.uniform(*durations) * per_day / 24)
        end = min(t + length, n_steps)
        if not busy[t:end].any():
            placed.append((t, end))
            busy[t:end] = True
        t = end + int(rng.exponential(gap_days) * per_day) + 1
    return placed


def simulate(spec: SimulationSpec) -> Simulation:
    """Simulate ``spec.wells`` wells for ``spec.days`` days; the same spec gives the same data."""
    rng = np.random.default_rng(spec.seed)
    wells = _well_table(spec, rng)
    per_day = 86_400 // spec.cadence_s
    n = spec.days * per_day
    dt_min = spec.cadence_s / 60
    start = pd.Timestamp(spec.start, tz="UTC")
    ts = start.value + np.arange(n, dtype=np.int64) * spec.cadence_s * 10**9
    labels: list[dict] = []
    busy = {w: np.zeros(n, bool) for w in wells["well_id"]}
    # power fluctuations first: one event shared by every well of a feeder
    sags: dict[str, list[np.ndarray]] = {w: [] for w in wells["well_id"]}
    for feeder, members in wells.groupby("feeder")["well_id"]:
        del feeder
        shared = np.zeros(n, bool)
        for a, b in _place(rng, n, per_day, spec.power_gap_days, (1, 3), shared.copy()):
            hits = a + np.cumsum(rng.integers(int(5 / dt_min) or 1, int(15 / dt_min) + 1, 40))
            hits = hits[hits < b - 2]
            width = rng.integers(1, 4, len(hits))
            mask = np.zeros(n, bool)
            for h, w in zip(hits.tolist(), width.tolist(), strict=True):
                mask[h:h + w] = True
            depth = rng.uniform(0.3, 0.6)
            for well in members:
                busy[well][a:b] = True
                sags[well].append(np.where(mask, depth, 0.0))
                labels.append({"well_id": well, "start": ts[a], "end": ts[b - 1] +
                               spec.cadence_s * 10**9, "label": "power_fluctuation"})
    tables: dict[str, pa.Table] = {}
    for record in wells.to_dict("records"):
        row = SimpleNamespace(**{k.lstrip("_"): v for k, v in record.items()})
        well_rng = np.random.default_rng([spec.seed, int(row.well_id[1:])])
        table, episodes = _one_well(row, well_rng, spec, n, per_day, ts, busy[row.well_id],
                                    sags[row.well_id])
        tables[row.well_id] = table
        labels += [{"well_id": row.well_id, "start": ts[a],
                    "end": ts[b - 1] + spec.cadence_s * 10**9, "label": kind}
                   for kind, a, b in episodes]
    frame = pd.DataFrame(labels, columns=["well_id", "start", "end", "label"])
    for col in ("start", "end"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    frame = frame.sort_values(["well_id", "start"], ignore_index=True)
    public = wells[[c for c in wells.columns if not c.startswith("_")]]
    return Simulation(public, frame, tables)


def _one_well(w, rng, spec, n, per_day, ts, busy, sags):
    steps_per_min = 60 / spec.cadence_s
    days = np.arange(n) / per_day
    # VSD set point: the base frequency, changed now and then by the operator
    freq = np.full(n, w.f0)
    t = int(rng.exponential(5) * per_day)
    while t < n:
        freq[t:] = np.clip(w.f0 * rng.uniform(0.85, 1.08), 40, 65)
        t += int(rng.exponential(5) * per_day) + 1
    ratio = freq / w.f0
    q0 = w.rated_flow_bpd
    pi = q0 / (w.p_static - w.pip0)
    flow_mult = 1 + _ar1(rng, n, 0.01, 120 * steps_per_min)
    curr_mult = 1 + _ar1(rng, n, 0.008, 120 * steps_per_min)
    flow = q0 * ratio * (1 - w.wear * days) * flow_mult
    current = w.i0 * ratio**2 * curr_mult
    torque = w.torque0 * ratio**2 * curr_mult
    vib = w.vib0 * ratio**2 * (1 + _ar1(rng, n, 0.03, 60 * steps_per_min))
    gor = w.gor0 * (1 + _ar1(rng, n, 0.05, 240 * steps_per_min))
    running = np.ones(n, bool)
    pip_override = np.full(n, np.nan)
    heat_extra = np.zeros(n)
    frozen = np.zeros(n, bool)
    episodes = []
    for a, b in _place(rng, n, per_day, spec.episode_gap_days, (2, 24), busy.copy()):
        kind = str(rng.choice(EPISODES, p=WEIGHTS))
        lo, hi = DURATION_H[kind]
        b = min(a + int(rng.uniform(lo, hi) * per_day / 24), n)
        if busy[a:b].any():
            continue
        busy[a:b] = True
        episodes.append((kind, a, b))
        _episode(kind, a, b, rng, steps_per_min, w, flow, current, torque, vib, gor, freq,
                 running, pip_override, heat_extra, frozen)
    for sag in sags:
        hit = sag > 0
        current[hit] *= 1 + sag[hit]
        torque[hit] *= 1 + sag[hit] * 0.8
        freq[hit] *= 1 - sag[hit] * rng.uniform(0.2, 0.4, hit.sum())
    flow = np.where(running, np.maximum(flow, 0), 0.0)
    current = np.where(running, current, 0.0)
    torque = np.where(running, torque, 0.0)
    vib = np.where(running, vib, 0.02)
    vsd = np.where(running, freq, 0.0)
    pip = w.p_static - flow / pi
    pip = np.where(np.isnan(pip_override), pip, pip_override)
    cooling = 0.4 + 0.6 * np.clip(flow / q0, 0, 1.5)
    rise = w.rise0 * (current / w.i0) ** 2 / cooling + heat_extra
    temp = _lag(w.t_fluid + rise, 20 * steps_per_min)
    noise = {"flow_rate_bpd": 0.01, "pip_psi": 0.005, "motor_current_a": 0.01,
             "motor_temp_c": 0.002, "vibration_g": 0.05, "vsd_frequency_hz": 0.001,
             "torque_nm": 0.01, "gor_scf_bbl": 0.02}
    values = {"flow_rate_bpd": flow, "pip_psi": pip, "motor_current_a": current,
              "motor_temp_c": temp, "vibration_g": vib, "vsd_frequency_hz": vsd,
              "torque_nm": torque, "gor_scf_bbl": gor}
    for name, sd in noise.items():
        values[name] = np.round(values[name] * (1 + rng.normal(0, sd, n)), 2)
    # a frozen gauge repeats its last reading exactly
    if frozen.any():
        starts = np.flatnonzero(frozen & ~np.roll(frozen, 1))
        for s in starts.tolist():
            e = s
            while e < n and frozen[e]:
                e += 1
            for name in ("flow_rate_bpd", "motor_current_a", "pip_psi"):
                values[name][s:e] = values[name][s - 1 if s else s]
    for name in METRICS:
        values[name] = np.clip(values[name], 0, None) if name != "motor_temp_c" else \
            values[name]
    if spec.faults:
        for name in METRICS:
            values[name][rng.random(n) < 0.001] = np.nan
        spikes = np.flatnonzero(rng.random(n) < 0.0001)
        values["motor_current_a"][spikes] = 9999.0
    order = np.arange(n)
    if spec.faults:
        repeat = np.flatnonzero(rng.random(n) < 0.0001)
        order = np.sort(np.concatenate([order, repeat]))
    columns = {"well_id": pa.array(np.full(len(order), w.well_id)),
               "ts": pa.array(ts[order], pa.timestamp("ns", "UTC"))}
    for name in METRICS:
        columns[name] = pa.array(values[name][order], from_pandas=True)
    return pa.table(columns), episodes


def _cycles(rng, a, b, run_min, off_min, steps_per_min):
    """Alternating (run_start, run_end, off_end) sample ranges within [a, b)."""
    out = []
    t = a
    while t < b:
        run = int(rng.uniform(*run_min) * steps_per_min)
        off = int(rng.uniform(*off_min) * steps_per_min)
        out.append((t, min(t + run, b), min(t + run + off, b)))
        t += run + off
    return out


def _episode(kind, a, b, rng, spm, w, flow, current, torque, vib, gor, freq, running,
             pip_override, heat_extra, frozen) -> None:
    n = b - a
    if kind == "gas_lock":
        gor[a:b] *= rng.uniform(3, 6)
        heat_extra[a:b] += np.linspace(0, rng.uniform(10, 20), n)
        for r0, r1, off in _cycles(rng, a, b, (25, 50), (15, 30), spm):
            u = np.linspace(0, 1, r1 - r0)
            current[r0:r1] *= (1 - 0.35 * u) * (1 + rng.normal(0, 0.12, r1 - r0))
            torque[r0:r1] *= (1 - 0.35 * u) * (1 + rng.normal(0, 0.12, r1 - r0))
            flow[r0:r1] *= np.clip((0.6 - 0.4 * u) * (1 + rng.normal(0, 0.25, r1 - r0)), 0,
                                   None)
            pip_override[r0:r1] = w.pip0 + 150 * u + rng.normal(0, 20, r1 - r0)
            running[r1:off] = False
            pip_override[r1:off] = w.pip0 + 150 + np.linspace(0, 200, off - r1)
    elif kind == "pump_off":
        for r0, r1, off in _cycles(rng, a, b, (60, 120), (30, 60), spm):
            u = np.linspace(0, 1, r1 - r0)
            current[r0:r1] *= 1 - 0.3 * u
            torque[r0:r1] *= 1 - 0.3 * u
            flow[r0:r1] *= 1 - 0.5 * u
            pip_override[r0:r1] = w.pip0 - (w.pip0 - 80) * u**1.2
            running[r1:off] = False
            pip_override[r1:off] = 80 + (w.pip0 - 80) * (
                1 - np.exp(-np.arange(off - r1) / (15 * spm)))
    elif kind == "overload":
        rise = rng.uniform(0.25, 0.45)
        ramp = np.clip(np.arange(n) / (45 * spm), 0, 1)
        spikes = 1 + np.abs(rng.normal(0, 0.05, n))
        current[a:b] *= (1 + rise * ramp) * spikes
        torque[a:b] *= (1 + rise * ramp) * spikes
        vib[a:b] *= 1 + rng.uniform(1.5, 3.0) * ramp
        flow[a:b] *= 1 - 0.1 * ramp
    elif kind == "underload":
        drop = rng.uniform(0.55, 0.75)
        ramp = np.clip(np.arange(n) / (20 * spm), 0, 1)
        current[a:b] *= 1 - (1 - drop) * ramp
        torque[a:b] *= 1 - (1 - drop) * ramp
        flow[a:b] *= 1 - (1 - rng.uniform(0.4, 0.65)) * ramp
    elif kind == "gas_interference":
        gor[a:b] *= rng.uniform(1.8, 2.5)
        current[a:b] *= 1 + rng.normal(0, 0.06, n)
        flow[a:b] *= 1 + rng.normal(0, 0.10, n)
    elif kind == "sensor_fault":
        frozen[a:b] = True
    del freq


def write(sim: Simulation, out: Path) -> dict[str, object]:
    """OUT/wells.csv, OUT/telemetry/<well>.parquet and OUT/labels.csv."""
    out.mkdir(parents=True, exist_ok=True)
    sim.wells.to_csv(out / "wells.csv", index=False)
    folder = out / "telemetry"
    folder.mkdir(exist_ok=True)
    rows = 0
    for well, table in sim.telemetry.items():
        pq.write_table(table, folder / f"{well}.parquet", compression="zstd")
        rows += table.num_rows
    labels = sim.labels.copy()
    for col in ("start", "end"):
        labels[col] = labels[col].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    labels.to_csv(out / "labels.csv", index=False)
    return {"wells": len(sim.wells), "rows": rows, "episodes": len(sim.labels),
            "labels": sim.labels["label"].value_counts().to_dict()}
