"""Per-student memory and CPU limits for local single-user servers, by cgroup.

JupyterHub's `Spawner.mem_limit` and `cpu_limit` are only enforced by spawners that can
(SystemdSpawner, KubeSpawner); the LocalProcessSpawner ignores them. This module gives each user one
cgroup, `<the hub's cgroup>/distsim-hub/<user>`, and the user's server joins it before it drops
root. Kernels and their evaluation processes are the server's children and stay in it, so a
student's runaway cell meets the kernel's OOM killer or the CPU quota of that student alone.

Both cgroup layouts are handled: the unified v2 hierarchy (memory.max, cpu.max), and v1 with
separate memory and cpu controllers (memory.limit_in_bytes, cpu.cfs_quota_us), as found in many
containers. Where neither is writable, `UserCgroup.create` raises `LimitsUnavailable` with the
reason.
"""

import os
from dataclasses import dataclass
from pathlib import Path

CPU_PERIOD_US = 100_000


class LimitsUnavailable(RuntimeError):
    pass


def _mounts():
    """(fstype, mount point, super options) of every cgroup mount of this process."""
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        fstype, _source, options = (right.split(" ") + ["", ""])[:3]
        if fstype in ("cgroup", "cgroup2"):
            yield fstype, left.split(" ")[4], set(options.split(","))


def _own_paths():
    """Controller name ("" for v2) -> this process's cgroup path."""
    paths = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _id, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            paths[name] = path.lstrip("/")
    return paths


def memory_parent() -> Path:
    """The directory that holds every user's memory group (distsim-hub/ in the hub's cgroup)."""
    own = _own_paths()
    for fstype, point, opts in _mounts():
        if fstype == "cgroup2" and "memory" in (Path(point) / own.get("", "") / "cgroup.controllers").read_text().split():
            return Path(point) / own.get("", "") / "distsim-hub"
    for fstype, point, opts in _mounts():
        if fstype == "cgroup" and "memory" in opts:
            return Path(point) / own.get("memory", "") / "distsim-hub"
    raise LimitsUnavailable("no cgroup with a memory controller is mounted")


@dataclass
class UserCgroup:
    """The cgroup directories (one for v2; memory and cpu for v1) of one user."""

    version: int
    dirs: list

    @staticmethod
    def create(user: str, mem_bytes: int, cpus: float) -> "UserCgroup":
        own = _own_paths()
        mounts = list(_mounts())
        for fstype, point, _opts in mounts:
            if fstype != "cgroup2":
                continue
            base = Path(point) / own.get("", "")
            if "memory" in (base / "cgroup.controllers").read_text().split():
                return UserCgroup._create_v2(base, user, mem_bytes, cpus)
        memory = cpu = None
        for fstype, point, opts in mounts:
            if fstype == "cgroup" and "memory" in opts:
                memory = Path(point) / own.get("memory", "")
            if fstype == "cgroup" and "cpu" in opts:
                cpu = Path(point) / own.get("cpu", own.get("cpu,cpuacct", ""))
        if memory is None:
            raise LimitsUnavailable("no cgroup with a memory controller is mounted")
        return UserCgroup._create_v1(memory, cpu, user, mem_bytes, cpus)

    @staticmethod
    def _create_v2(base, user, mem_bytes, cpus):
        parent = base / "distsim-hub"
        try:
            parent.mkdir(exist_ok=True)
            (parent / "cgroup.subtree_control").write_text("+memory +cpu")
            group = parent / user
            group.mkdir(exist_ok=True)
            (group / "memory.max").write_text(str(mem_bytes))
            if (group / "memory.swap.max").exists():
                (group / "memory.swap.max").write_text("0")
            if cpus:
                (group / "cpu.max").write_text(f"{int(cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}")
        except OSError as e:
            raise LimitsUnavailable(f"cannot set up cgroup v2 limits under {parent}: {e}") from e
        return UserCgroup(2, [group])

    @staticmethod
    def _create_v1(memory, cpu, user, mem_bytes, cpus):
        dirs = []
        try:
            group = memory / "distsim-hub" / user
            group.mkdir(parents=True, exist_ok=True)
            (group / "memory.limit_in_bytes").write_text(str(mem_bytes))
            dirs.append(group)
            if cpus and cpu is not None:
                group = cpu / "distsim-hub" / user
                group.mkdir(parents=True, exist_ok=True)
                (group / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
                (group / "cpu.cfs_quota_us").write_text(str(int(cpus * CPU_PERIOD_US)))
                dirs.append(group)
        except OSError as e:
            raise LimitsUnavailable(f"cannot set up cgroup v1 limits under {memory}: {e}") from e
        return UserCgroup(1, dirs)

    def join(self):
        """Moves the calling process into the group (call in the child, before dropping root)."""
        for group in self.dirs:
            with open(group / "cgroup.procs", "w") as procs:
                procs.write(str(os.getpid()))

    def remove(self):
        """Removes the group once its processes are gone (best effort: a straggler keeps it)."""
        for group in self.dirs:
            try:
                group.rmdir()
            except OSError:
                pass

    def memory_events(self) -> str:
        """The kernel's record of OOM kills in this group (memory.events or memory.oom_control)."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        return (self.dirs[0] / name).read_text()


def parse_bytes(text: str) -> int:
    """'2G', '1536M', '1073741824' -> bytes (binary units, as JupyterHub's mem_limit)."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    if not text.isdigit():
        raise ValueError(f"DISTSIM_HUB_MEM_LIMIT: '{text}' is not a size such as 2G or 1536M")
    return int(text)
