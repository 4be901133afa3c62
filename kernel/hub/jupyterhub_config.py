"""JupyterHub config of the distsim class hub (`scripts/hub start` runs `jupyterhub -f` on it).

Everything site-specific comes from the environment, so the file is the same on every server;
docs/class.md lists the variables. The hub runs as root from the hub's state directory (cookie
secret and database) and starts each user's server as that Unix user, from `<prefix>/venv`.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # course_spawner, limits
from limits import parse_bytes  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets)
env = os.environ.get
prefix = Path(env("DISTSIM_HUB_PREFIX", "/opt/distsim-hub"))
venv = prefix / "venv"
instructor = env("DISTSIM_HUB_INSTRUCTOR", "instructor")

# --- Network --------------------------------------------------------------------------------------
# The proxy is the public face (DISTSIM_HUB_IP:DISTSIM_HUB_PORT); the hub and the proxy's API stay
# on the loopback interface. Put TLS in front (a reverse proxy, or JupyterHub's ssl_cert/ssl_key).
c.JupyterHub.ip = env("DISTSIM_HUB_IP", "0.0.0.0")
c.JupyterHub.port = int(env("DISTSIM_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env("DISTSIM_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('DISTSIM_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(prefix / "proxy/node_modules/.bin/configurable-http-proxy")]
c.JupyterHub.cookie_secret_file = "jupyterhub_cookie_secret"  # in the state directory (the cwd)
c.JupyterHub.db_url = "sqlite:///jupyterhub.sqlite"

# --- Who may log in -------------------------------------------------------------------------------
# Real local users by PAM: the class is the Unix group DISTSIM_HUB_GROUP (default `distsim`) and the
# instructor. The dummy authenticator (one shared password, for the roster only) exists for the test
# on 127.0.0.1 only and refuses to start on any other address.
if env("DISTSIM_HUB_AUTH", "pam") == "dummy":
    if c.JupyterHub.ip != "127.0.0.1":
        raise SystemExit("DISTSIM_HUB_AUTH=dummy is for tests: it needs DISTSIM_HUB_IP=127.0.0.1")
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ["DISTSIM_HUB_DUMMY_PASSWORD"]
else:
    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.allowed_groups = {env("DISTSIM_HUB_GROUP", "distsim")}
# A roster (DISTSIM_HUB_USERS, comma-separated) is loaded into the hub's database at start, so that
# those users exist for the REST API before their first login (the test logs in that way).
roster = {name.strip() for name in env("DISTSIM_HUB_USERS", "").split(",") if name.strip()}
c.Authenticator.allowed_users = roster | {instructor}
c.Authenticator.admin_users = {instructor}

# --- Each user's server ---------------------------------------------------------------------------
c.JupyterHub.spawner_class = "course_spawner.CourseSpawner"
c.Spawner.cmd = [str(venv / "bin/jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab/tree/notebooks/00-start-here.ipynb"
c.Spawner.environment = {"DISTSIM_HUB_EXCHANGE": env("DISTSIM_HUB_EXCHANGE", "/srv/nbgrader/exchange")}
# Extra variables for every server and its kernels (NAME=VALUE,...), e.g. allocator settings.
for pair in filter(None, env("DISTSIM_HUB_KERNEL_ENV", "").split(",")):
    name, _, value = pair.partition("=")
    c.Spawner.environment[name.strip()] = value
# A busy machine can take a while to start a server; the kernel itself answers at once.
c.Spawner.start_timeout = int(env("DISTSIM_HUB_START_TIMEOUT", "120"))
c.Spawner.http_timeout = int(env("DISTSIM_HUB_START_TIMEOUT", "120"))
c.CourseSpawner.course_dir = str(prefix / "course")
c.CourseSpawner.instructor = instructor
# Per user, kernels included. 1.5 GiB: a kernel measured 540-670 MiB (RSS, kernel plus evaluation
# process) and its cell compiles briefly add rustc; docs/class.md has the figures.
c.CourseSpawner.mem_bytes = parse_bytes(env("DISTSIM_HUB_MEM_LIMIT", "1536M"))
c.CourseSpawner.cpus = float(env("DISTSIM_HUB_CPU_LIMIT", "1"))
c.CourseSpawner.require_limits = env("DISTSIM_HUB_REQUIRE_LIMITS", "yes")

# --- nbgrader: formgrader for the instructor ------------------------------------------------------
# A hub service: a Jupyter server run as the instructor in ~/course (the nbgrader course root),
# opening on formgrader, at /services/formgrader/. Only the instructor may open it.
# The service starts with the hub, so the instructor's course root must exist before it does.
try:
    import pwd

    from course_spawner import copy_missing

    account = pwd.getpwnam(instructor)
    copy_missing(prefix / "course/homework", Path(account.pw_dir) / "course", account.pw_uid, account.pw_gid)
except KeyError:
    raise SystemExit(f"the instructor's account '{instructor}' does not exist: create it, or set DISTSIM_HUB_INSTRUCTOR")
formgrader_port = int(env("DISTSIM_HUB_FORMGRADER_PORT", "9999"))
c.JupyterHub.services = [
    {
        "name": "formgrader",
        "url": f"http://127.0.0.1:{formgrader_port}",
        "command": [
            str(venv / "bin/jupyterhub-singleuser"),
            f"--port={formgrader_port}",
            f"--config={prefix / 'etc/formgrader_server_config.py'}",
        ],
        "user": instructor,
        "cwd": str(Path(os.path.expanduser(f"~{instructor}")) / "course"),
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            "DISTSIM_HUB_EXCHANGE": env("DISTSIM_HUB_EXCHANGE", "/srv/nbgrader/exchange"),
            "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        },
        "oauth_no_confirm": True,
    }
]
c.JupyterHub.load_roles = [
    {"name": "formgrader-users", "users": [instructor], "scopes": ["access:services!service=formgrader"]},
]
