#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Report and verdict of one soak (bench/guest/soak.sh recorded OUT): writes OUT/report.txt,
OUT/report.json and OUT/result (0 passed, 1 failed), prints the report, exits with the result.

Fails on: an app's availability below SOAK_MIN_AVAILABILITY (default 0.80) over the whole run, or
below SOAK_MIN_UNDISTURBED (default 0.98) over the probes taken while no fault was being healed;
a fault not healed within its time; any data lost (secrets, derived files, volume markers); a
leaked process (processes in archipelago-apps.slice whose floor rose: the last quarter's minimum
above the first quarter's maximum; an archy-* process alive for more than 5 min in two samples in a
row; a zombie seen in three samples in a row; more conmon processes than running containers);
growing memory (a helper run's peak RSS: the last quarter's median above SOAK_MAX_GROWTH, default
1.2, times the first quarter's, with at least 8 runs); an fd leak (a long-lived process sampled
over at least a quarter of the run whose fd floor rose, as for the slice's processes); a metrics
source answering less than 95 % of the probes taken while no fault was being healed.
Usage: soak-report.py OUT
"""
import json
import os
import re
import statistics
import sys

out = sys.argv[1]
MIN_AVAIL = float(os.environ.get("SOAK_MIN_AVAILABILITY", "0.80"))
MIN_UNDISTURBED = float(os.environ.get("SOAK_MIN_UNDISTURBED", "0.98"))
MAX_GROWTH = float(os.environ.get("SOAK_MAX_GROWTH", "1.2"))
MIN_METRICS = 0.95
failures = []


def rows(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def median(xs):
    return statistics.median(xs) if xs else None


def quarters(xs):
    q = max(1, len(xs) // 4)
    return xs[:q], xs[-q:]


meta = {}
timers = []
for line in open(os.path.join(out, "meta.env"), encoding="utf-8"):
    k, _, v = line.rstrip("\n").partition("=")
    if k == "timer":
        timers.append(v)
    else:
        meta[k] = v
t_start, t_end = int(meta.get("start", 0)), int(meta.get("end", 0))
duration = t_end - t_start
apps = meta.get("apps", "").split()

# --- apps ----------------------------------------------------------------------------------------
app_rows = [r for r in rows("apps.tsv")[1:] if len(r) >= 5]
restarts = {}
for r in rows("restarts.tsv"):
    if len(r) >= 4 and r[2].isdigit() and r[3].isdigit():
        restarts[r[0]] = restarts.get(r[0], 0) + int(r[3]) - int(r[2])
report_apps = {}
for app in apps:
    mine = [r for r in app_rows if r[1] == app]
    ups = [r[2] == "1" for r in mine]
    quiet = [r[2] == "1" for r in mine if r[3] == "-"]
    outages, longest, cur, reasons = 0, 0, 0, {}
    prev = True
    for r in mine:
        up = r[2] == "1"
        if not up:
            cur += 1
            for reason in r[4].rstrip(",").split(","):
                reasons[reason] = reasons.get(reason, 0) + 1
            if prev:
                outages += 1
        else:
            cur = 0
        longest = max(longest, cur)
        prev = up
    a = {
        "probes": len(ups),
        "availability": sum(ups) / len(ups) if ups else None,
        "undisturbed_probes": len(quiet),
        "undisturbed_availability": sum(quiet) / len(quiet) if quiet else None,
        "outages": outages,
        "longest_outage_probes": longest,
        "systemd_restarts": restarts.get(app),
        "down_reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1])[:5]),
    }
    report_apps[app] = a
    if a["availability"] is None:
        failures.append(f"{app}: never probed")
        continue
    if a["availability"] < MIN_AVAIL:
        failures.append(f"{app}: availability {a['availability']:.3f} < {MIN_AVAIL}")
    if a["undisturbed_availability"] is not None and len(quiet) >= 10 and a["undisturbed_availability"] < MIN_UNDISTURBED:
        failures.append(f"{app}: availability outside fault windows {a['undisturbed_availability']:.3f} < {MIN_UNDISTURBED}")

# --- metrics -------------------------------------------------------------------------------------
fault_at = {int(r[0]): r[3] for r in app_rows}
report_metrics = {}
for r in rows("metrics.tsv"):
    if len(r) < 3:
        continue
    m = report_metrics.setdefault(r[1], {"probes": 0, "ok": 0, "undisturbed_probes": 0, "undisturbed_ok": 0, "last": ""})
    m["probes"] += 1
    m["ok"] += r[2] == "1"
    if fault_at.get(int(r[0]), "-") == "-":
        m["undisturbed_probes"] += 1
        m["undisturbed_ok"] += r[2] == "1"
    m["last"] = r[3] if len(r) > 3 else ""
for src, m in report_metrics.items():
    m["ok_fraction"] = m["ok"] / m["probes"]
    uq = m["undisturbed_ok"] / m["undisturbed_probes"] if m["undisturbed_probes"] else None
    m["undisturbed_ok_fraction"] = uq
    if uq is not None and uq < MIN_METRICS:
        failures.append(f"metrics: {src} answered {uq:.3f} of the probes outside fault windows (< {MIN_METRICS})")
for src, flag in (("status-prometheus", "has_prom_cli"), ("textfile", "has_textfile"), ("node-exporter", "has_exporter")):
    if meta.get(flag) != "1":
        report_metrics.setdefault(src, {"absent": True})
    elif src not in report_metrics:
        note = "node_exporter's textfile directory exists, archy.prom never did" if src == "textfile" else "never probed"
        report_metrics[src] = {"absent": True, "note": note}

# --- faults --------------------------------------------------------------------------------------
report_faults = []
for r in rows("faults.tsv"):
    if len(r) < 6:
        continue
    fid, kind, target, t0, t1, result = r[:6]
    detail = r[6] if len(r) > 6 else ""
    down = sorted({a[1] for a in app_rows if a[3] == fid and a[2] == "0"})
    f = {
        "id": int(fid),
        "kind": kind,
        "target": target,
        "at_s": round(int(t0) / 1000 - t_start, 1),
        "heal_s": round((int(t1) - int(t0)) / 1000, 1),
        "result": result,
        "apps_down": down,
        "detail": detail,
    }
    report_faults.append(f)
    if result == "timeout":
        failures.append(f"fault {fid} ({kind} {target}) not healed within its time: {detail}")
    if "data lost" in detail:
        failures.append(f"fault {fid} ({kind}): {detail}")
report_faults.sort(key=lambda f: f["id"])

# --- helpers: systemd's record of each run (CPUUsageNSec, ExecMain*Timestamp, Result) and GNU
# time's peak RSS of it (the guest has no memory controller: systemd's MemoryPeak is unset) --------
units = {}
for t in timers:
    parts = t.split()
    if len(parts) >= 2:
        units[parts[1]] = {"timer": parts[0], "period": parts[2].split("=", 1)[1] if len(parts) > 2 else "?"}
polled = {u: [] for u in units}
for r in rows("helpers.tsv"):
    if len(r) >= 6 and r[1] in polled and r[3].isdigit():
        polled[r[1]].append((int(r[3]), int(r[4]), r[5]))
report_helpers = {}
for unit in sorted(units):
    timed = []
    for r in rows(f"runs-{unit}.tsv"):
        f = r[0].split()
        # "Command exited with non-zero status N" lines precede a failed run's figures
        if len(f) == 5 and f[1].isdigit():
            timed.append((float(f[0]), int(f[1]), float(f[2]) + float(f[3]), int(f[4])))
    rss = [x[1] for x in timed]
    cpus = [c for c, _, _ in polled[unit]]
    durs = [d for _, d, _ in polled[unit] if d > 0]
    h = {
        "timer": units[unit]["timer"],
        "period": units[unit]["period"],
        "runs": len(timed),
        "failed_runs": sum(x[3] != 0 for x in timed),
        "runs_seen_by_systemd_poll": len(polled[unit]),
        "cpu_ms_median": median(cpus) / 1e6 if cpus else None,
        "cpu_ms_max": max(cpus) / 1e6 if cpus else None,
        "duration_ms_median": median(durs) / 1e3 if durs else None,
        "duration_ms_max": max(durs) / 1e3 if durs else None,
        "peak_rss_kb_median": median(rss),
        "peak_rss_kb_max": max(rss) if rss else None,
        "results": sorted({r for _, _, r in polled[unit]}),
    }
    if len(rss) >= 8:
        first, last = quarters(rss)
        h["peak_rss_kb_first_quarter_median"] = median(first)
        h["peak_rss_kb_last_quarter_median"] = median(last)
        h["memory_growth"] = median(last) / median(first)
        if h["memory_growth"] > MAX_GROWTH:
            failures.append(f"{unit}: peak RSS grew {h['memory_growth']:.2f}x (last quarter's median over the first's; limit {MAX_GROWTH})")
    else:
        h["memory_growth"] = None
        h["note"] = "fewer than 8 runs: no trend"
    report_helpers[unit] = h

# --- generator -----------------------------------------------------------------------------------
gen = [r for r in rows("generator.tsv") if len(r) >= 7]
reload_ms = [int(r[1]) / 1e6 for r in gen]
gen_ms = [int(r[2]) / 1e6 for r in gen if r[4] == "0"]
gen_cpu = [int(r[5]) / 1e6 for r in gen if r[4] == "0"]
gen_rss = [int(r[3]) for r in gen if r[4] == "0"]
gens_all = [int(r[6]) / 1e3 for r in gen if r[6].lstrip("-").isdigit() and int(r[6]) > 0]
# systemd's GeneratorsStart/FinishTimestamp: when they never change, they are the boot's, not a reload's
if len(set(gens_all)) <= 1 and len(gen) > 1:
    gens_all = []
report_gen = {
    "reloads": len(gen),
    "generator_failed_runs": sum(r[4] != "0" for r in gen),
    "daemon_reload_ms_median": median(reload_ms),
    "daemon_reload_ms_max": max(reload_ms) if reload_ms else None,
    "generator_ms_median": median(gen_ms),
    "generator_ms_max": max(gen_ms) if gen_ms else None,
    "generator_cpu_ms_median": median(gen_cpu),
    "generator_cpu_ms_max": max(gen_cpu) if gen_cpu else None,
    "generator_peak_rss_kb_median": median(gen_rss),
    "generator_peak_rss_kb_max": max(gen_rss) if gen_rss else None,
    "all_generators_at_reload_ms_median": median(gens_all),
    "all_generators_at_reload_ms_max": max(gens_all) if gens_all else None,
}
if report_gen["generator_failed_runs"]:
    failures.append(f"archy-generator failed {report_gen['generator_failed_runs']} of {len(gen)} runs")
if len(gen_rss) >= 8:
    first, last = quarters(gen_rss)
    report_gen["generator_rss_growth"] = median(last) / median(first)

# --- leaks ---------------------------------------------------------------------------------------
res = [r for r in rows("resources.tsv") if len(r) >= 4]
report_leaks = {}
procs = [int(r[1]) for r in res]
if len(procs) >= 8:
    first, last = quarters(procs)
    report_leaks["apps_slice_processes"] = {"first": procs[0], "last": procs[-1], "max": max(procs),
                                            "first_quarter_max": max(first), "last_quarter_min": min(last)}
    if min(last) > max(first):
        failures.append(f"leaked processes: archipelago-apps.slice's floor rose from {max(first)} to {min(last)}")
old = [set() if r[2] == "-" else set(r[2].split()) for r in res]
report_leaks["archy_processes_older_than_5min_max"] = max((len(o) for o in old), default=0)
stuck = sorted(set().union(*[a & b for a, b in zip(old, old[1:])])) if len(old) > 1 else []
report_leaks["archy_processes_older_than_5min"] = stuck
if stuck:
    failures.append(f"archy-* processes alive for more than 5 minutes (two samples in a row): {' '.join(stuck[:5])}")
seen, streak, worst = {}, {}, 0
for r in res:
    now = set() if r[3] == "-" else set(re.findall(r"(\d+)\(", r[3]))
    streak = {p: streak.get(p, 0) + 1 for p in now}
    for p in now:
        seen[p] = r[3]
    worst = max([worst] + list(streak.values()))
report_leaks["zombie_longest_streak_samples"] = worst
if worst >= 3:
    failures.append(f"a zombie stayed for {worst} samples: {sorted(set(seen.values()))[:3]}")
fds = {}
for r in rows("procs.tsv"):
    if len(r) >= 4 and r[3].isdigit():
        fds.setdefault((r[1], r[2]), []).append((int(r[0]), int(r[3]), int(r[4]) if len(r) > 4 and r[4].isdigit() else None))
report_fds = {}
for (name, pid), xs in sorted(fds.items()):
    span = xs[-1][0] - xs[0][0]
    n = [x[1] for x in xs]
    rss = [x[2] for x in xs if x[2] is not None]
    e = {"pid": int(pid), "samples": len(xs), "span_s": span, "fds_first": n[0], "fds_last": n[-1], "fds_max": max(n),
         "rss_kb_first": rss[0] if rss else None, "rss_kb_last": rss[-1] if rss else None}
    if len(xs) >= 8 and span >= duration / 4:
        first, last = quarters(n)
        if min(last) > max(first):
            e["leak"] = True
            failures.append(f"fd leak: {name} (pid {pid}): its fd floor rose from {max(first)} to {min(last)} over {span} s")
    report_fds[f"{name}[{pid}]"] = e
report_leaks["fds"] = report_fds
conmon = dict(kv.split("=") for kv in open(os.path.join(out, "conmon.txt")).read().split()) if os.path.exists(os.path.join(out, "conmon.txt")) else {}
report_leaks["conmon_at_end"] = conmon
if conmon and int(conmon["conmon"]) > int(conmon["containers"]):
    failures.append(f"leaked conmon: {conmon['conmon']} conmon processes for {conmon['containers']} running containers")

# --- data ----------------------------------------------------------------------------------------
lost = [line.strip() for line in open(os.path.join(out, "data-lost.txt"), encoding="utf-8") if line.strip()] \
    if os.path.exists(os.path.join(out, "data-lost.txt")) else ["data check did not run"]
counts = {n: sum(1 for _ in open(os.path.join(out, f"{n}.sum"))) for n in ("secrets", "derived", "markers")
          if os.path.exists(os.path.join(out, f"{n}.sum"))}
for x in lost:
    failures.append(f"data lost: {x}")

# --- report --------------------------------------------------------------------------------------
report = {
    "seed": int(meta.get("seed", 0)),
    "minutes": int(meta.get("minutes", 0)),
    "duration_s": duration,
    "thresholds": {"min_availability": MIN_AVAIL, "min_undisturbed_availability": MIN_UNDISTURBED,
                   "max_memory_growth": MAX_GROWTH, "min_metrics_answers": MIN_METRICS},
    "apps": report_apps,
    "metrics": report_metrics,
    "faults": report_faults,
    "helpers": report_helpers,
    "generator": report_gen,
    "leaks": report_leaks,
    "data": {"checked": counts, "lost": lost},
    "failures": failures,
    "passed": not failures,
}


def fmt(x, spec=".1f"):
    return "-" if x is None else format(x, spec)


L = []
L.append(f"archy soak: seed {report['seed']}, {report['minutes']} min planned, {duration} s run "
         f"(repeat: SOAK_SEED={report['seed']} SOAK_MINUTES={report['minutes']} make soak)")
L.append("timers: " + "; ".join(f"{h['timer']} every {h['period']}" for h in report_helpers.values()))
L.append("")
L.append(f"{'app':15} {'probes':>6} {'avail':>7} {'quiet':>7} {'outages':>7} {'longest':>7} {'restarts':>8}  down because")
for app, a in report_apps.items():
    L.append(f"{app:15} {a['probes']:>6} {fmt(a['availability'], '.3f'):>7} {fmt(a['undisturbed_availability'], '.3f'):>7} "
             f"{a['outages']:>7} {a['longest_outage_probes']:>7} {fmt(a['systemd_restarts'], 'd'):>8}  "
             + ", ".join(f"{k} x{v}" for k, v in a["down_reasons"].items()))
L.append("  (avail: fraction of probes up; quiet: the same outside fault windows; longest: consecutive probes down)")
L.append("")
L.append("metrics sources (fraction of probes answered; outside fault windows):")
for src, m in report_metrics.items():
    if m.get("absent"):
        L.append(f"  {src:18} absent in this build/guest{(': ' + m['note']) if 'note' in m else ''}")
    else:
        L.append(f"  {src:18} {m['ok']}/{m['probes']} = {m['ok_fraction']:.3f}; quiet {fmt(m['undisturbed_ok_fraction'], '.3f')}; last: {m['last']}")
L.append("")
L.append(f"faults injected: {len(report_faults)}")
for f in report_faults:
    L.append(f"  #{f['id']:<2} +{f['at_s']:>6.0f} s  {f['kind']:15} {f['target']:48} {f['result']:8} heal {f['heal_s']:>6.1f} s"
             f"  apps down: {','.join(f['apps_down']) or 'none'}{('  ' + f['detail']) if f['detail'] else ''}")
heals = [f["heal_s"] for f in report_faults if f["result"] == "healed"]
if heals:
    L.append(f"  time to heal: median {median(heals):.1f} s, max {max(heals):.1f} s; per kind: " + "; ".join(
        f"{k} {len(v)}x median {median(v):.1f} s max {max(v):.1f} s" for k, v in sorted(
            {k: [f["heal_s"] for f in report_faults if f["kind"] == k and f["result"] == "healed"]
             for k in {f["kind"] for f in report_faults}}.items()) if v))
L.append("")
L.append(f"{'helper run':28} {'runs':>5} {'failed':>6} {'CPU med':>9} {'CPU max':>9} {'wall med':>9} {'wall max':>9} {'RSS med':>9} {'RSS max':>9} {'growth':>7}")
for unit, h in report_helpers.items():
    L.append(f"{unit:28} {h['runs']:>5} {h['failed_runs']:>6} {fmt(h['cpu_ms_median']):>7}ms {fmt(h['cpu_ms_max']):>7}ms "
             f"{fmt(h['duration_ms_median']):>7}ms {fmt(h['duration_ms_max']):>7}ms "
             f"{fmt(h['peak_rss_kb_median'], '.0f'):>7}KB {fmt(h['peak_rss_kb_max'], '.0f'):>7}KB {fmt(h['memory_growth'], '.2f'):>6}x")
L.append("  (CPU and wall: systemd's CPUUsageNSec and ExecMain timestamps of each run it reported; RSS: GNU time's")
L.append("   peak RSS of the run, the helper or its largest child; growth: the last quarter's median RSS over the first's)")
L.append("")
g = report_gen
L.append(f"generator: {g['reloads']} daemon-reloads: reload median {fmt(g['daemon_reload_ms_median'])} ms, max {fmt(g['daemon_reload_ms_max'])} ms; "
         f"all generators at a reload median {fmt(g['all_generators_at_reload_ms_median'])} ms, max {fmt(g['all_generators_at_reload_ms_max'])} ms")
L.append(f"  archy-generator as systemd runs it (with Quadlet): wall median {fmt(g['generator_ms_median'])} ms, max {fmt(g['generator_ms_max'])} ms; "
         f"CPU median {fmt(g['generator_cpu_ms_median'])} ms, max {fmt(g['generator_cpu_ms_max'])} ms; "
         f"peak RSS median {fmt(g['generator_peak_rss_kb_median'], '.0f')} KB, max {fmt(g['generator_peak_rss_kb_max'], '.0f')} KB")
L.append("")
lk = report_leaks
sp = lk.get("apps_slice_processes", {})
L.append(f"processes: archipelago-apps.slice first {sp.get('first', '-')}, last {sp.get('last', '-')}, max {sp.get('max', '-')} "
         f"(first quarter max {sp.get('first_quarter_max', '-')}, last quarter min {sp.get('last_quarter_min', '-')}); "
         f"archy-* older than 5 min: max {lk['archy_processes_older_than_5min_max']}; zombie longest streak: {lk['zombie_longest_streak_samples']} samples; "
         f"conmon at end: {conmon.get('conmon', '-')} for {conmon.get('containers', '-')} containers")
L.append("fds of long-lived processes (first -> last, max; RSS first -> last):")
for k, e in report_fds.items():
    if e["samples"] >= 2:
        L.append(f"  {k:48} {e['fds_first']:>4} -> {e['fds_last']:<4} max {e['fds_max']:<4} over {e['span_s']:>5} s"
                 f"  RSS {fmt(e['rss_kb_first'], 'd')} -> {fmt(e['rss_kb_last'], 'd')} KB{'  LEAK' if e.get('leak') else ''}")
L.append("  (helpers are oneshots: their fds close when they exit; what they could leak is held by the")
L.append("   long-lived processes they talk to, sampled above: PID 1, the D-Bus broker, conmon, the daemon)")
L.append("")
L.append("data: " + ", ".join(f"{n} {c} files" for n, c in counts.items()) + (": intact" if not lost else f": LOST {lost}"))
L.append("")
L.append("soak: " + ("PASSED" if not failures else "FAILED:"))
L.extend(f"  - {x}" for x in failures)
text = "\n".join(L) + "\n"
with open(os.path.join(out, "report.txt"), "w", encoding="utf-8") as f:
    f.write(text)
with open(os.path.join(out, "report.json"), "w", encoding="utf-8") as f:
    json.dump(report, f, indent=2)
    f.write("\n")
with open(os.path.join(out, "result"), "w", encoding="utf-8") as f:
    f.write("0\n" if not failures else "1\n")
sys.stdout.write(text)
sys.exit(0 if not failures else 1)
