//! What the fault tests break on purpose: a PostgreSQL cluster of their own, to
//! stop and start again (never the shared server the other tests use), and a
//! small tmpfs to fill. Both need root; without it a test says so and returns
//! early, and under `CI=true` it fails (`present_or_skip`).

use crate::present_or_skip;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use uuid::Uuid;

fn run(what: &str, command: &mut Command) -> Output {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The newest PostgreSQL server binaries Debian installed, 15 first.
fn pg_bin() -> Option<PathBuf> {
    let preferred = PathBuf::from("/usr/lib/postgresql/15/bin");
    if preferred.join("initdb").exists() {
        return Some(preferred);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

/// A throwaway PostgreSQL cluster in a directory of its own, on a port of its
/// own, run as the OS user `postgres` with trust authentication on 127.0.0.1.
/// Dropping it stops the server and removes the directory.
#[derive(Debug)]
pub struct PgCluster {
    bin: PathBuf,
    root: PathBuf,
    pub port: u16,
}

impl PgCluster {
    /// Creates and starts the cluster, or returns `None` (outside CI) when this
    /// machine cannot: not root, or no `initdb`.
    pub fn start() -> Option<Self> {
        let bin = pg_bin();
        let root_ok = is_root();
        if !present_or_skip(
            bin.is_some() && root_ok,
            "a private PostgreSQL cluster cannot be made here (it needs root and /usr/lib/postgresql/*/bin/initdb)",
            "run as root on a machine with the postgresql package, as scripts/test does",
        ) {
            return None;
        }
        let bin = bin?;
        let root = std::env::temp_dir().join(format!("roster-pg-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("creating {}: {e}", root.display()));
        let cluster = Self { bin, port: free_port(), root };
        run("chown the cluster's directory", Command::new("chown").args(["postgres:postgres"]).arg(&cluster.root));
        run(
            "initdb",
            cluster
                .as_postgres("initdb")
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "-D"])
                .arg(cluster.data()),
        );
        cluster.start_again();
        Some(cluster)
    }

    fn data(&self) -> PathBuf {
        self.root.join("data")
    }

    fn as_postgres(&self, program: &str) -> Command {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(self.bin.join(program));
        c
    }

    /// The URL of database `postgres` on this cluster.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server and waits until it takes connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
            self.port,
            self.root.display()
        );
        run(
            "pg_ctl start",
            self.as_postgres("pg_ctl")
                .args(["-w", "-t", "60", "-l"])
                .arg(self.root.join("log"))
                .arg("-D")
                .arg(self.data())
                .args(["-o", &options, "start"]),
        );
    }

    /// Stops the server as an operator's restart does: `pg_ctl stop -m fast`
    /// ends every session and its transaction.
    pub fn stop_fast(&self) {
        run("pg_ctl stop", self.as_postgres("pg_ctl").args(["-w", "-m", "fast", "-D"]).arg(self.data()).arg("stop"));
    }

    /// The server's log, for a failed test to show.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.root.join("log")).unwrap_or_default()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self.as_postgres("pg_ctl").args(["-w", "-m", "immediate", "-D"]).arg(self.data()).arg("stop").output();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A port nobody listens on just now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("finding a free port: {e}"))
}

/// A tmpfs of a few MiB mounted on a directory of its own; unmounted and removed
/// on drop (lazily, so a process still holding a file there cannot keep it).
#[derive(Debug)]
pub struct Tmpfs {
    pub dir: PathBuf,
}

impl Tmpfs {
    /// Mounts one of `mib` MiB, or returns `None` (outside CI) without root.
    pub fn mount(mib: u32) -> Option<Self> {
        if !present_or_skip(is_root(), "mounting a tmpfs needs root", "run the tests as root, as scripts/test does") {
            return None;
        }
        let dir = std::env::temp_dir().join(format!("roster-tmpfs-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let tmpfs = Self { dir };
        run(
            "mount -t tmpfs",
            Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={mib}M"), "tmpfs"]).arg(&tmpfs.dir),
        );
        Some(tmpfs)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Fills what is left with a file named `name`, and returns its path.
    pub fn fill(&self, name: &str) -> PathBuf {
        fill(&self.path(name))
    }
}

/// Writes zeros to `path` until the disk under it is full.
fn fill(path: &Path) -> PathBuf {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
    let block = vec![0u8; 64 * 1024];
    loop {
        match file.write(&block) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
            Err(e) => panic!("filling {}: {e}", path.display()),
        }
    }
    // The last partial block, byte by byte.
    while file.write(&[0]).is_ok_and(|n| n == 1) {}
    let _ = file.flush();
    path.to_owned()
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).output();
        let _ = std::fs::remove_dir(&self.dir);
    }
}
