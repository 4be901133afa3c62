"""The class hub's spawner: JupyterHub's LocalProcessSpawner, plus the course and the limits.

Before a user's server starts, it
- copies the course notebooks into `~/notebooks` (only the ones the user does not have yet: a
  student's edited notebook is never overwritten; a notebook added to the course later appears at
  the next start), and gives the instructor `~/course`, the nbgrader course root;
- puts the server into the user's own cgroup with the memory and CPU limits of the hub config
  (see limits.py), so that one student's runaway cell cannot starve the others.
"""

import os
import pwd
import shutil
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Float, Integer, Unicode

from limits import LimitsUnavailable, UserCgroup


def copy_missing(source: Path, dest: Path, uid: int, gid: int) -> list:
    """Copies every file of `source` that `dest` lacks, owned by uid:gid; returns the new paths."""
    created = []
    for path in sorted(source.rglob("*")):
        target = dest / path.relative_to(source)
        if target.exists():
            continue
        if path.is_dir():
            target.mkdir(parents=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        created.append(target)
    for target in [dest, *created]:
        if target.exists():
            os.chown(target, uid, gid)
    return created


class CourseSpawner(LocalProcessSpawner):
    course_dir = Unicode(help="Holds notebooks/ (every user's copy) and homework/ (the instructor's).").tag(
        config=True
    )
    instructor = Unicode("instructor", help="The user who gets ~/course and the formgrader service.").tag(
        config=True
    )
    mem_bytes = Integer(0, help="Memory limit of one user's server, kernels included (0: none).").tag(config=True)
    cpus = Float(0.0, help="CPU limit of one user's server, in cores (0: none).").tag(config=True)
    require_limits = Unicode(
        "yes", help="'yes': refuse to start a server whose limits cannot be set; 'no': warn and start."
    ).tag(config=True)

    _cgroup = None

    async def start(self):
        account = pwd.getpwnam(self.user.name)
        course = Path(self.course_dir)
        home = Path(account.pw_dir)
        new = copy_missing(course / "notebooks", home / "notebooks", account.pw_uid, account.pw_gid)
        if self.user.name == self.instructor:
            new += copy_missing(course / "homework", home / "course", account.pw_uid, account.pw_gid)
        self.log.info("%s: %d course files copied", self.user.name, len(new))
        if self.mem_bytes or self.cpus:
            try:
                self._cgroup = UserCgroup.create(self.user.name, self.mem_bytes, self.cpus)
            except LimitsUnavailable as e:
                if self.require_limits == "yes":
                    raise
                self.log.warning("%s: starting without limits: %s", self.user.name, e)
        return await super().start()

    def make_preexec_fn(self, name):
        drop_root = set_user_setuid(name)
        group = self._cgroup

        def preexec():
            if group is not None:
                group.join()
            drop_root()

        return preexec

    async def stop(self, now=False):
        await super().stop(now=now)
        if self._cgroup is not None:
            self._cgroup.remove()
