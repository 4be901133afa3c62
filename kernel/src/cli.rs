//! The command line. Other tools depend on this exact contract:
//!
//! ```text
//! distsim-kernel install [--user | --sys-prefix | --prefix DIR] [--no-prewarm]
//! distsim-kernel uninstall [--user | --sys-prefix | --prefix DIR]
//! distsim-kernel --connection-file FILE [--interrupt-grace SECONDS] [--incremental auto|always|never]
//! distsim-kernel --version
//! ```
//!
//! `--interrupt-grace` (or `DISTSIM_INTERRUPT_GRACE`, e.g. in a kernelspec's `env`) is how long an
//! interrupted cell gets to stop by itself before its evaluation process is killed: 0.1 to 600
//! seconds, default 2. `--incremental` (or `DISTSIM_INCREMENTAL`) is when a cell compiles with
//! rustc's incremental cache: `auto` (the default) when the cell is run again, edited or not,
//! `always` or `never` (see [`incremental`]). `install` defaults to `--user`. Two hidden flags
//! exist for tests only: `--fake-interpreter`
//! (the scripted interpreter of [`crate::testing`], no evcxr) and `--restart-in-place`
//! (`shutdown_request` with `restart: true` restarts the interpreter instead of exiting).

use crate::interpreter::evcxr::{EvcxrInterpreter, StartOptions};
use crate::interpreter::incremental;
use crate::interpreter::Interpreter;
use crate::kernelspec::{self, Location};
use crate::protocol::{self, KernelConfig, KernelSockets, RestartMode};
use crate::startup::LazyInterpreter;
use crate::testing::FakeInterpreter;
use crate::transport::connection::ConnectionInfo;
use crate::transport::signing::Signer;
use crate::transport::zmq_sockets::ZmqSockets;
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(name = "distsim-kernel", version, about = "A Jupyter kernel for Rust cells with distsim preloaded.")]
pub struct Cli {
    /// Run the kernel with this connection file (Jupyter passes it through kernel.json).
    #[arg(long, value_name = "FILE")]
    pub connection_file: Option<PathBuf>,
    /// Seconds an interrupted cell gets to stop by itself before its evaluation process is killed
    /// and its variables are lost: 0.1 to 600.
    #[arg(long, value_name = "SECONDS", env = "DISTSIM_INTERRUPT_GRACE", default_value = "2", value_parser = grace)]
    pub interrupt_grace: Duration,
    /// When a cell compiles with rustc's incremental cache: `auto` when the cell is run again
    /// (edited or not), `always`, or `never`.
    #[arg(long, value_name = "WHEN", env = "DISTSIM_INCREMENTAL", value_enum, default_value_t = incremental::Mode::Auto)]
    pub incremental: incremental::Mode,
    /// Tests only: run the scripted fake interpreter instead of evcxr.
    #[arg(long, hide = true)]
    pub fake_interpreter: bool,
    /// Tests only: restart the interpreter in this process on shutdown with restart.
    #[arg(long, hide = true)]
    pub restart_in_place: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Install the `distsim` kernelspec and build the shared distsim cache.
    Install {
        #[command(flatten)]
        location: LocationArgs,
        /// Do not build the shared cache now (the first kernel start will).
        #[arg(long)]
        no_prewarm: bool,
    },
    /// Remove the `distsim` kernelspec.
    Uninstall {
        #[command(flatten)]
        location: LocationArgs,
    },
}

/// Where the kernelspec goes; at most one of these (default: --user).
#[derive(Args, Debug)]
#[group(multiple = false)]
pub struct LocationArgs {
    /// The user's Jupyter data dir.
    #[arg(long)]
    user: bool,
    /// The active Python environment: $VIRTUAL_ENV, else $CONDA_PREFIX, else python3's sys.prefix.
    #[arg(long)]
    sys_prefix: bool,
    /// DIR/share/jupyter/kernels/distsim.
    #[arg(long, value_name = "DIR")]
    prefix: Option<PathBuf>,
}

impl LocationArgs {
    fn location(&self) -> Location {
        match (&self.prefix, self.sys_prefix) {
            (Some(dir), _) => Location::Prefix(dir.clone()),
            (None, true) => Location::SysPrefix,
            (None, false) => Location::User,
        }
    }
}

/// Parses `--interrupt-grace`: a number of seconds from 0.1 to 600 (clap names the flag).
fn grace(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text.trim().parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(0.1..=600.0).contains(&seconds) {
        return Err(format!("{seconds} s is out of range: give 0.1 to 600 seconds"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match (&cli.command, &cli.connection_file) {
        (Some(Command::Install { location, no_prewarm }), _) => install(&location.location(), !no_prewarm),
        (Some(Command::Uninstall { location }), _) => uninstall(&location.location()),
        (None, Some(file)) => run_kernel(file, &cli),
        (None, None) => Err("nothing to do: pass --connection-file FILE, or `install`; see --help".to_owned()),
    };
    match result {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("distsim-kernel: {message}");
            1
        }
    }
}

fn install(location: &Location, prewarm: bool) -> Result<(), String> {
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| format!("cannot find this executable's path: {e}"))?;
    let dir = kernelspec::install(location, &exe)?;
    println!("Installed the {} kernelspec in {}", kernelspec::KERNEL_NAME, dir.display());
    if prewarm {
        println!("Building the shared distsim cache (once; later kernel starts reuse it)...");
        prewarm_interpreter()?;
        println!("Done.");
    }
    Ok(())
}

/// The interpreter's install-time hook: compiles distsim once into the shared cache.
fn prewarm_interpreter() -> Result<(), String> {
    EvcxrInterpreter::prewarm()
}

fn uninstall(location: &Location) -> Result<(), String> {
    let dir = kernelspec::uninstall(location)?;
    println!("Removed the {} kernelspec from {}", kernelspec::KERNEL_NAME, dir.display());
    Ok(())
}

fn run_kernel(connection_file: &Path, cli: &Cli) -> Result<(), String> {
    // distsim's display() and progress bars print the kernel line protocol only when this is set;
    // the evaluation process inherits it. Set before any thread starts.
    std::env::set_var("DISTSIM_KERNEL", "1");
    let info = ConnectionInfo::from_file(connection_file)?;
    let signer = Signer::new(&info.key, &info.signature_scheme)?;
    let interpreter: Box<dyn Interpreter> = if cli.fake_interpreter {
        Box::new(FakeInterpreter::new())
    } else {
        let options = StartOptions {
            interrupt_grace: cli.interrupt_grace,
            incremental: cli.incremental,
            ..StartOptions::default()
        };
        Box::new(LazyInterpreter::spawn(Box::new(move || {
            EvcxrInterpreter::start(options.clone()).map(|i| Box::new(i) as Box<dyn Interpreter>)
        })))
    };
    let zmq = ZmqSockets::bind(&info).map_err(|e| e.to_string())?;
    let sockets = KernelSockets {
        shell: Box::new(zmq.shell),
        control: Box::new(zmq.control),
        stdin: Box::new(zmq.stdin),
        iopub: Box::new(zmq.iopub),
    };
    let restart_mode = if cli.restart_in_place { RestartMode::InPlace } else { RestartMode::NewProcess };
    protocol::spawn(sockets, interpreter, KernelConfig { signer, restart_mode }).wait();
    zmq.heartbeat_stop.store(true, Ordering::SeqCst);
    let _ = zmq.heartbeat.join();
    // Dropping the context waits (up to the sockets' linger) until queued messages are sent.
    drop(zmq.context);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grace_of(args: &[&str]) -> Result<Duration, String> {
        let argv = ["distsim-kernel", "--connection-file", "c.json"].iter().chain(args);
        Cli::try_parse_from(argv).map(|cli| cli.interrupt_grace).map_err(|e| e.to_string())
    }

    #[test]
    fn the_interrupt_grace_defaults_to_two_seconds_and_rejects_values_out_of_range() {
        // The variable would override the default; this test process never sets it.
        assert!(std::env::var_os("DISTSIM_INTERRUPT_GRACE").is_none());
        assert_eq!(grace_of(&[]), Ok(Duration::from_secs(2)));
        assert_eq!(grace_of(&["--interrupt-grace", "0.25"]), Ok(Duration::from_millis(250)));
        for bad in ["0.05", "601", "-1", "soon", "NaN"] {
            let error = grace_of(&[&format!("--interrupt-grace={bad}")]).unwrap_err();
            assert!(error.contains("--interrupt-grace"), "{error}");
            assert!(error.contains("0.1 to 600 seconds") || error.contains("not a number"), "{error}");
        }
    }

    #[test]
    fn incremental_defaults_to_auto_and_names_its_values_when_given_another() {
        let parse = |args: &[&str]| {
            let argv = ["distsim-kernel", "--connection-file", "c.json"].iter().chain(args);
            Cli::try_parse_from(argv).map(|cli| cli.incremental).map_err(|e| e.to_string())
        };
        assert!(std::env::var_os("DISTSIM_INCREMENTAL").is_none());
        assert_eq!(parse(&[]), Ok(incremental::Mode::Auto));
        assert_eq!(parse(&["--incremental", "never"]), Ok(incremental::Mode::Never));
        assert_eq!(parse(&["--incremental=always"]), Ok(incremental::Mode::Always));
        let error = parse(&["--incremental", "sometimes"]).unwrap_err();
        assert!(error.contains("--incremental"), "{error}");
        assert!(["auto", "always", "never"].iter().all(|value| error.contains(value)), "{error}");
    }
}
