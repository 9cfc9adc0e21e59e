#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""How much of Umbrel's app store can archy's manifest express? Measured, not guessed.

Converts every service of every app in a git clone of getumbrel/umbrel-apps (each app's
docker-compose.yml, read straight from the git directory; nothing is copied into this
repository) into an archy manifest app, then runs the real `archy-generator --check` on each
converted manifest. A service is expressible when every one of its compose keys is mapped to an
archy key or dropped for a reason that does not change its behaviour (DROPPED below), and the
generator finds no problem in the container it became (nor in its app as a whole).

  tools/umbrel-coverage.py --umbrel GIT-DIR [--generator build/archy-generator] [--assume-keys]
                           [--keep DIR] [--verbose]

--assume-keys counts the keys of ADDED_BY_ISSUE_12 as archy keys, for figures before those keys
are merged: such keys are left out of the manifest that is checked (this archy would refuse them
as unknown). Once they are merged, move them from ADDED_BY_ISSUE_12 to ARCHY_KEYS and run it
without the flag: then they are written into the manifest and checked too.

Tooling, not shipped: python3 and python3-yaml (Debian), nothing else.
"""

import argparse
import collections
import hashlib
import os
import re
import shlex
import subprocess
import sys
import tempfile

import yaml

# The compose keys of a service that archy reads, each with the archy key it becomes. This is
# the one table to edit when archy gains a key.
ARCHY_KEYS = {
    "image": "image",
    "command": "command",
    "volumes": "volumes",
    "ports": "ports",
    "environment": "env",
    "env_file": "env_files",
    "healthcheck": "health",
    "stop_grace_period": "stop_timeout",
    "depends_on": "depends_on",
    "restart": "restart",
    "user": "user",
    "entrypoint": "entrypoint",
    "working_dir": "working_dir",
    "hostname": "hostname",
    "stop_signal": "stop_signal",
    "read_only": "read_only",
    "tmpfs": "tmpfs",
    "cap_drop": "cap_drop",
    "cap_add": "cap_add",
    "no_new_privileges": "no_new_privileges",  # compose: security_opt [no-new-privileges:true]
    "shm_size": "shm_size",
    "ulimits": "ulimits",
    "mem_limit": "mem_limit",  # also compose's deploy.resources.limits.memory
    "cpus": "cpus",  # also compose's deploy.resources.limits.cpus
    "init": "init",
}

# Container keys added in a branch not merged yet (same names as compose). Until they are merged,
# a service that needs one is blocked by it; with --assume-keys it counts as mapped and the key is
# left out of the checked manifest. Empty: every key of issue 12 is in ARCHY_KEYS now.
ADDED_BY_ISSUE_12 = {}

# Compose keys dropped because they do not change what the service does under archy, and why.
DROPPED = {
    "container_name": "archy names the container archy-APP[-PART]; what refers to the old name is "
    "rewritten to the new one (wiring), the service runs the same",
    "networks": "only the default network with a static ipv4_address or aliases: archy puts every "
    "container on one network and addresses it by name; the values that use the address become "
    "references to the name",
    "expose": "documentation only: containers reach each other on every port",
    "labels": "metadata: nothing in the container reads its labels",
    "logging": "log driver options: archy's containers log to the journal",
    "stdin_open": "an open stdin nobody writes to: nothing reads it under systemd",
    "platform": "the node's own architecture is what podman pulls",
    "pull_policy": "when to pull, not what runs: archy pulls the pinned image when it is missing",
    "restart": "on-failure, always, unless-stopped: archy restarts every long-running part "
    "(restart: no is mapped to a one-shot part)",
    "healthcheck.start_interval": "a faster check while starting: only how soon health is seen",
    "deploy.resources.reservations": "a reservation, not a limit: nothing changes on one node",
    "version": "the compose file format version",
    "x-*": "compose extension fields (YAML anchors, already merged by the YAML loader)",
}

# Umbrel's own reverse proxy: not an app service (it has no image; Umbrel merges in its own).
UMBREL_PROXY = "app_proxy"

BITCOIN_APPS = ["bitcoin", "bitcoin-knots", "lightning", "electrs", "electrumx", "mempool",
                "btcpay-server", "fedimintd", "fedimint-gateway"]

DATA_ROOT = "/var/lib/archipelago/umbrel"

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,47}$")
VAR_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)((?::?[-?+])([^{}]*(?:\{[^{}]*\}[^{}]*)*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class Blocked(Exception):
    """A compose key (or a value of one) archy cannot express; the message names it."""


def assumed(key, opts):
    """Is this key of ADDED_BY_ISSUE_12 taken as an archy key?"""
    return key in ARCHY_KEYS.values() or opts.assume_keys


# --- compose values -------------------------------------------------------------------------

class Vars:
    """Umbrel's variables (exports.sh, set at install time) with stand-in values of the right
    kind, the same for the same name: ports get distinct numbers, addresses distinct IPv4s."""

    def __init__(self):
        self.values = {}
        self.ports = 20000

    def value(self, name, app):
        if name == "APP_DATA_DIR":
            return "%s/app-data/%s" % (DATA_ROOT, app)
        if name in self.values:
            return self.values[name]
        if name.endswith("PORT"):
            self.ports += 1
            v = str(self.ports)
        elif name.endswith("_IP") or name.endswith("_HOST"):
            h = int(hashlib.sha256(name.encode()).hexdigest(), 16)
            v = "10.21.%d.%d" % (h % 250 + 1, (h >> 8) % 250 + 2)
        elif name.endswith("DIR") or name.endswith("ROOT") or name.endswith("PATH"):
            v = "%s/%s" % (DATA_ROOT, name.lower().replace("_", "-"))
        else:
            v = "value-of-" + name.lower().replace("_", "-")
        self.values[name] = v
        return v


def interpolate(s, app, env):
    """Compose's interpolation: $$ is a literal $, ${VAR}, $VAR, ${VAR:-default}, ${VAR-default}."""
    if not isinstance(s, str):
        return s
    out, i = [], 0
    while i < len(s):
        if s.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        m = VAR_RE.match(s, i) if s[i] == "$" else None
        if not m:
            out.append(s[i])
            i += 1
            continue
        name = m.group(1) or m.group(4)
        if m.group(2) and m.group(2).lstrip(":")[0] == "-":
            out.append(interpolate(m.group(3), app, env))
        else:
            out.append(env.value(name, app))
        i = m.end()
    return "".join(out)


def text(v):
    """A scalar of compose as the string archy's YAML would read."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    return str(v)


def seconds(v, what):
    """Compose durations (1m30s, 10s, 1h, 500ms) as whole seconds for archy (1s..24h)."""
    s = text(v).strip()
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)", s)
    if not parts or "".join(a + b for a, b in parts) != s:
        raise Blocked("%s: duration %r" % (what, s))
    factor = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6, "ns": 1e-9}
    total = sum(float(a) * factor[b] for a, b in parts)
    if total != int(total) or not 1 <= total <= 86400:
        raise Blocked("%s: a duration that is not whole seconds from 1s to 24h (%s)" % (what, s))
    return "%ds" % int(total)


def qualified_image(ref):
    """Docker's short names are Docker Hub's: archy wants them written out."""
    first = ref.split("/")[0]
    if "/" in ref and ("." in first or ":" in first or first == "localhost"):
        return ref
    return "docker.io/" + ("library/" if "/" not in ref else "") + ref


def shell_word(s):
    return s if s and re.fullmatch(r"[A-Za-z0-9_./:=@%+,-]+", s) else shlex.quote(s)


def part_name(service, main):
    return "main" if service == main else re.sub(r"[^a-z0-9-]", "-", service.lower())


# --- one service ----------------------------------------------------------------------------

class Service:
    def __init__(self, app, name, spec):
        self.app, self.name, self.spec = app, name, spec or {}
        self.container = {}
        self.blockers = []  # (key, reason)
        self.dropped = []  # keys dropped (DROPPED)
        self.assumed = []  # keys of ADDED_BY_ISSUE_12 counted with --assume-keys


def emit_assumed(svc, key, value, opts):
    """A key of ADDED_BY_ISSUE_12: written when archy has it, counted or blocked otherwise."""
    if key in ARCHY_KEYS.values():
        svc.container[key] = value
    elif opts.assume_keys:
        svc.assumed.append(key)
    else:
        svc.blockers.append((key, "%s: not an archy key in this build" % key))


def convert_volumes(svc, v, ctx):
    out = []
    for item in v:
        if isinstance(item, dict):
            kind = item.get("type", "volume")
            if kind == "tmpfs":
                emit_assumed(svc, "tmpfs", [text(item.get("target"))], ctx.opts)
                continue
            if kind not in ("bind", "volume"):
                raise Blocked("volumes: type %s" % kind)
            extra = set(item) - {"type", "source", "target", "read_only", "bind"}
            if extra:
                raise Blocked("volumes: long-syntax option %s" % sorted(extra)[0])
            src, dst, ro = text(item.get("source")), text(item.get("target")), item.get("read_only")
            mode = "ro" if ro else ""
        else:
            fields = ctx.sub(text(item)).split(":")
            if len(fields) == 1:
                raise Blocked("volumes: an anonymous volume (no source)")
            src, dst = fields[0], fields[1]
            opts = set(fields[2].split(",")) if len(fields) > 2 else set()
            opts -= {"z", "Z", "rw", "cached", "delegated", "consistent"}  # SELinux relabel, macOS hints
            mode = "ro" if "ro" in opts else ""
            opts -= {"ro"}
            if opts or len(fields) > 3:
                raise Blocked("volumes: mount option %s" % ":".join(fields[2:]))
        src = ctx.sub(src)
        if src.startswith("./") or src == ".":
            src = "%s/app-data/%s/%s" % (DATA_ROOT, svc.app, src[2:])
        elif src.startswith("~"):
            raise Blocked("volumes: a source in a home directory")
        if src.startswith("/"):
            src = os.path.normpath(src)  # what docker does with a bind source
        else:
            src = re.sub(r"[^a-z0-9-]", "-", src.lower())  # a named volume: app-local, renamed
        if src.endswith("docker.sock"):
            raise Blocked("volumes: docker.sock (the Docker API)")
        out.append("%s:%s%s" % (src, dst.rstrip("/") or "/", ":ro" if mode else ""))
    svc.container["volumes"] = out


def convert_ports(svc, v, ctx):
    out = []
    for item in v:
        if isinstance(item, dict):
            spec = "%s:%s" % (text(item.get("published")), text(item.get("target")))
            if item.get("host_ip"):
                spec = "%s:%s" % (item["host_ip"], spec)
            if item.get("protocol"):
                spec += "/" + item["protocol"]
        else:
            spec = ctx.sub(text(item))
        out.append(ctx.sub(spec))
    svc.container["ports"] = out


def convert_env(svc, v, ctx):
    env = {}
    if isinstance(v, list):
        for item in v:
            name, _, value = text(item).partition("=")
            env[name] = ctx.sub(value)
    else:
        for name, value in (v or {}).items():
            env[text(name)] = ctx.sub(text(value))
    svc.container["env"] = env


def health_cmd(test, ctx):
    if isinstance(test, str):
        return ctx.sub(test)
    items = [ctx.sub(text(t)) for t in test]
    if items and items[0] == "CMD-SHELL" and len(items) == 2:
        return items[1]
    if items and items[0] == "CMD":
        items = items[1:]
    if not items or items[0] == "NONE":
        return None
    return " ".join(shell_word(i) for i in items)


def convert_health(svc, v, ctx):
    if v.get("disable"):
        return
    health = {}
    for key, value in v.items():
        if key == "test":
            cmd = health_cmd(value, ctx)
            if cmd is None:
                return
            health["cmd"] = cmd
        elif key == "start_period" and re.fullmatch(r"0+[a-z]*", text(value)):
            pass  # none, archy's default
        elif key in ("interval", "timeout", "start_period"):
            health[key] = seconds(value, "healthcheck." + key)
        elif key == "retries":
            health["retries"] = text(value)
        elif key == "start_interval":
            svc.dropped.append("healthcheck.start_interval")
        else:
            raise Blocked("healthcheck.%s" % key)
    svc.container["health"] = health


def convert_depends_on(svc, v, ctx):
    conditions = {"service_started": "started", "service_healthy": "healthy",
                  "service_completed_successfully": "completed"}
    if isinstance(v, list):
        deps = [part_name(d, ctx.main) for d in v if d != UMBREL_PROXY]
        if deps:
            svc.container["depends_on"] = deps
        return
    out = {}
    for dep, how in v.items():
        if dep == UMBREL_PROXY:
            continue
        how = how or {}
        extra = set(how) - {"condition", "restart"}
        if extra or how.get("required") is False:
            raise Blocked("depends_on.%s" % sorted(extra)[0])
        out[part_name(dep, ctx.main)] = {"condition": conditions.get(how.get("condition", "service_started"),
                                                                      how.get("condition"))}
    if out:
        svc.container["depends_on"] = out


def convert_networks(svc, v, ctx):
    names = v if isinstance(v, list) else list(v or {})
    if names != ["default"]:
        raise Blocked("networks: a network other than the default one")
    if isinstance(v, dict) and v["default"]:
        extra = set(v["default"]) - {"ipv4_address", "aliases"}
        if extra:
            raise Blocked("networks.default.%s" % sorted(extra)[0])
    svc.dropped.append("networks")


def convert_security_opt(svc, v, ctx):
    for opt in v:
        if re.fullmatch(r"no-new-privileges(:true)?", text(opt)):
            emit_assumed(svc, "no_new_privileges", True, ctx.opts)
        else:
            raise Blocked("security_opt: %s" % text(opt).split(":")[0].split("=")[0])


def convert_deploy(svc, v, ctx):
    for key, value in v.items():
        if key != "resources":
            raise Blocked("deploy.%s" % key)
        for kind, limits in value.items():
            if kind == "reservations":
                svc.dropped.append("deploy.resources.reservations")
                continue
            if kind != "limits":
                raise Blocked("deploy.resources.%s" % kind)
            for what, amount in limits.items():
                if what == "memory":
                    emit_assumed(svc, "mem_limit", text(amount), ctx.opts)
                elif what == "cpus":
                    emit_assumed(svc, "cpus", text(amount), ctx.opts)
                else:
                    raise Blocked("deploy.resources.limits.%s" % what)


def convert_key(svc, key, v, ctx):
    if key == "image":
        svc.container["image"] = qualified_image(ctx.sub(text(v)))
    elif key == "command" or key == "entrypoint":
        args = shlex.split(ctx.sub(v)) if isinstance(v, str) else [ctx.sub(text(a)) for a in v]
        if key == "command":
            svc.container["command"] = args
        else:
            emit_assumed(svc, "entrypoint", args, ctx.opts)
    elif key == "volumes":
        convert_volumes(svc, v, ctx)
    elif key == "ports":
        convert_ports(svc, v, ctx)
    elif key == "environment":
        convert_env(svc, v, ctx)
    elif key == "env_file":
        files = [v] if isinstance(v, str) else v
        svc.container["env_files"] = [
            f if f.startswith("/") else "%s/app-data/%s/%s" % (DATA_ROOT, svc.app, f.lstrip("./"))
            for f in (ctx.sub(text(x.get("path") if isinstance(x, dict) else x)) for x in files)]
    elif key == "healthcheck":
        convert_health(svc, v, ctx)
    elif key == "stop_grace_period":
        svc.container["stop_timeout"] = seconds(v, key)
    elif key == "depends_on":
        convert_depends_on(svc, v, ctx)
    elif key == "restart":
        if text(v) == "no" or (svc.name in ctx.awaited_completion and text(v) == "on-failure"):
            # compose's on-failure does not restart a service that exited 0: one that others
            # wait on to complete runs once
            svc.container["restart"] = "no"
        else:
            svc.dropped.append("restart")
    elif key == "networks":
        convert_networks(svc, v, ctx)
    elif key == "security_opt":
        convert_security_opt(svc, v, ctx)
    elif key == "deploy":
        convert_deploy(svc, v, ctx)
    elif key == "tty":
        if v:
            raise Blocked("tty: a terminal (programs behave differently on one)")
    elif key == "user":
        user = ctx.sub(text(v))
        user = {"root": "0:0", "root:root": "0:0"}.get(user, user)  # the same in every image
        if not re.fullmatch(r"\d+(:\d+)?", user):
            raise Blocked("user: a named user (%s), resolved in the image's /etc/passwd" % user)
        emit_assumed(svc, "user", user, ctx.opts)
    elif key in ARCHY_KEYS or key in ADDED_BY_ISSUE_12:
        emit_assumed(svc, key, ctx.sub(v) if isinstance(v, str) else v, ctx.opts)
    elif key in DROPPED:
        svc.dropped.append(key)
    else:
        raise Blocked(key)


def convert_service(svc, ctx):
    if svc.name in ctx.awaited_completion and "restart" not in svc.spec:
        svc.container["restart"] = "no"  # compose's default: run once
    for key, v in svc.spec.items():
        try:
            convert_key(svc, key, v, ctx)
        except Blocked as e:
            svc.blockers.append((str(e).split(":")[0].split(".")[0], str(e)))


# --- one app --------------------------------------------------------------------------------

class Context:
    def __init__(self, app, main, env, opts, awaited_completion):
        self.app, self.main, self.env, self.opts = app, main, env, opts
        self.awaited_completion = awaited_completion

    def sub(self, s):
        return interpolate(s, self.app, self.env)


def main_service(services):
    """The service Umbrel's proxy serves (APP_HOST), else app/web/server, else the first."""
    proxy = (services.get(UMBREL_PROXY) or {}).get("environment") or {}
    host = text(proxy.get("APP_HOST", "")) if isinstance(proxy, dict) else ""
    names = [n for n in services if n != UMBREL_PROXY]
    for n in names:
        spec = services[n] or {}
        ip = ((spec.get("networks") or {}) if isinstance(spec.get("networks"), dict) else {}).get("default") or {}
        if host and (host.endswith("_%s_1" % n) or (ip and text(ip.get("ipv4_address")) == host)):
            return n
    for n in ("app", "web", "server"):
        if n in names:
            return n
    return names[0] if names else None


def app_name(app_id):
    return app_id if NAME_RE.match(app_id) else "u-" + re.sub(r"[^a-z0-9-]", "-", app_id.lower())[:46]


def convert_app(app_id, compose, env, opts):
    services = compose.get("services") or {}
    main = main_service(services)
    awaited = {dep for spec in services.values() if isinstance((spec or {}).get("depends_on"), dict)
               for dep, how in spec["depends_on"].items()
               if (how or {}).get("condition") == "service_completed_successfully"}
    ctx = Context(app_id, main, env, opts, awaited)
    out = []
    for name, spec in services.items():
        if name == UMBREL_PROXY:
            continue
        svc = Service(app_id, name, spec)
        convert_service(svc, ctx)
        svc.part = part_name(name, main)
        out.append(svc)
    for key, v in compose.items():
        if key == "volumes":
            for vol, decl in (v or {}).items():
                if decl and set(decl) - {"name"}:
                    for svc in out:
                        svc.blockers.append(("volumes", "top-level volume %s with %s" % (vol, sorted(decl)[0])))
        elif key not in ("services", "version") and not key.startswith("x-"):
            for svc in out:
                svc.blockers.append((key, "top-level " + key))
    return out


class Compose(yaml.SafeLoader):
    """YAML as docker compose reads it (YAML 1.2 scalars): 10025:25 is a string, not a base-60
    number, and yes/no/on/off are strings, not booleans."""


Compose.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
Compose.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
Compose.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
Compose.add_implicit_resolver("tag:yaml.org,2002:float",
                              re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?$"),
                              list("-+0123456789."))


class NoAliases(yaml.SafeDumper):
    """archy refuses YAML anchors and aliases: write every value out."""

    def ignore_aliases(self, data):
        return True


def manifest_of(app_id, services):
    containers = {s.part: s.container for s in services}
    return yaml.dump({"version": 1, "apps": {app_name(app_id): {"containers": containers}}},
                     Dumper=NoAliases, default_flow_style=False, sort_keys=False, allow_unicode=True, width=1 << 30)


PROBLEM_RE = re.compile(r"^[^:]*:\d+:\d+: apps\.[^.:\s]+(?:\.containers\.([^.:\s\[]+))?([^:]*): (.*)$")


def generic(message):
    """A problem the generator found, with its values taken out, to count alike ones together."""
    m = re.sub(r'"[^"]*"', '"…"', message)
    m = re.sub(r"\b\d+\b", "N", m)
    return m[:150]


def check(generator, path, services):
    """Run archy-generator --check; attribute each problem to the service it names."""
    r = subprocess.run([generator, "--check", path], capture_output=True, text=True)
    by_part = {s.part: s for s in services}
    for line in r.stderr.splitlines():
        m = PROBLEM_RE.match(line)
        if not m:
            for s in services:
                s.blockers.append(("check", "check: " + generic(line.split(": ", 1)[-1])))
            continue
        part, rest, message = m.groups()
        key = rest.lstrip(".").split(".")[0].split("[")[0] or "(container)"
        targets = [by_part[part]] if part in by_part else services
        for s in targets:
            s.blockers.append(("check: " + key, "check: %s: %s" % (key, generic(message))))
    return r.returncode


# --- the store ------------------------------------------------------------------------------

def git(gitdir, *args):
    return subprocess.run(["git", "--git-dir=" + gitdir] + list(args), capture_output=True, check=True).stdout


def compose_files(gitdir):
    names = git(gitdir, "ls-tree", "-r", "--name-only", "HEAD").decode().splitlines()
    return sorted(n for n in names if n.count("/") == 1 and n.endswith("/docker-compose.yml"))


def report(apps, opts):
    services = [s for app in apps.values() for s in app]
    ok = [s for s in services if not s.blockers]
    mode = "with the keys of ADDED_BY_ISSUE_12 assumed" if opts.assume_keys else "with this build's keys"
    print("Umbrel app store: %d apps, %d services (Umbrel's app_proxy not counted), %s" % (
        len(apps), len(services), mode))
    print("expressible: %d of %d services (%.1f %%)" % (len(ok), len(services), 100.0 * len(ok) / max(1, len(services))))
    print("\nBitcoin apps:")
    for app_id in BITCOIN_APPS:
        if app_id not in apps:
            print("  %-18s not in the store" % app_id)
            continue
        for s in apps[app_id]:
            why = "; ".join(sorted({b[1] for b in s.blockers})) if s.blockers else "expressible"
            extra = " (assumed: %s)" % ", ".join(sorted(set(s.assumed))) if s.assumed and not s.blockers else ""
            print("  %-18s %-16s %s%s" % (app_id, s.name, why, extra))
    blockers = collections.Counter()
    for s in services:
        for key in {b[0] for b in s.blockers}:
            blockers[key] += 1
    print("\nremaining blockers (services blocked by each; a service may have several):")
    for key, n in blockers.most_common():
        print("  %4d  %s" % (n, key))
    only = collections.Counter()
    for s in services:
        keys = {b[0] for b in s.blockers}
        if len(keys) == 1:
            only[keys.pop()] += 1
    print("\nservices blocked by one key only (what each key alone would gain):")
    for key, n in only.most_common():
        print("  %4d  %s" % (n, key))
    if opts.verbose:
        details = collections.Counter(b[1] for s in services for b in set(s.blockers))
        print("\nevery blocker in detail:")
        for d, n in details.most_common():
            print("  %4d  %s" % (n, d))
    dropped = collections.Counter(k for s in services for k in set(s.dropped))
    print("\ndropped keys (they do not change what the service does under archy):")
    for key, n in dropped.most_common():
        print("  %4d  %s: %s" % (n, key, DROPPED[key]))
    if opts.assume_keys:
        assumed_n = collections.Counter(k for s in ok for k in set(s.assumed))
        print("\nkeys of ADDED_BY_ISSUE_12 the expressible services use (not checked by this build):")
        for key, n in assumed_n.most_common():
            print("  %4d  %s" % (n, key))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--umbrel", required=True, help="git directory of a clone of getumbrel/umbrel-apps")
    ap.add_argument("--generator", default="build/archy-generator")
    ap.add_argument("--assume-keys", action="store_true",
                    help="count the keys of ADDED_BY_ISSUE_12 as archy keys (left out of the check)")
    ap.add_argument("--keep", help="write the converted manifests into this directory")
    ap.add_argument("--verbose", action="store_true")
    opts = ap.parse_args()
    env = Vars()
    apps = {}
    outdir = opts.keep or tempfile.mkdtemp(prefix="umbrel-coverage-")
    os.makedirs(outdir, exist_ok=True)
    for f in compose_files(opts.umbrel):
        app_id = f.split("/")[0]
        compose = yaml.load(git(opts.umbrel, "show", "HEAD:" + f), Loader=Compose) or {}
        services = convert_app(app_id, compose, env, opts)
        if not services:
            continue
        path = os.path.join(outdir, app_id + ".yaml")
        with open(path, "w") as out:
            out.write(manifest_of(app_id, services))
        check(opts.generator, path, services)
        apps[app_id] = services
    report(apps, opts)
    if not opts.keep:
        for name in os.listdir(outdir):
            os.unlink(os.path.join(outdir, name))
        os.rmdir(outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
