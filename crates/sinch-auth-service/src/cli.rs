//! `sinch-auth serve`: the arguments and the entry points the CLI calls.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::config::{CONFIG_VAR, CallerAuthMode, ConfigError, Overrides, Settings};
use crate::reload::Reload;
use crate::server::{ServeError, Server};
use crate::signals::{ReloadSignals, shutdown_signal};
use crate::telemetry::LogFormat;

/// Arguments of `sinch-auth serve`. Every setting can also come from the
/// configuration file or a `SINCH_AUTH_*` variable (see docs/service.md);
/// flags win over variables, variables over the file. The variables are
/// read by the configuration's one table (`config::ENV_SETTINGS`), not
/// here, so each name is written once.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// TOML configuration file.
    #[arg(long, env = CONFIG_VAR, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Address of the API listener [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Address of the admin listener (/livez, /readyz, /metrics) [default: 127.0.0.1:9090].
    #[arg(long, value_name = "ADDR")]
    pub admin_listen: Option<SocketAddr>,

    /// How callers authenticate [default: accounts].
    #[arg(long, value_enum, value_name = "MODE")]
    pub caller_auth: Option<CallerAuthMode>,

    /// Log format [default: text].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,

    /// Accounts database: sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB
    /// [default: sqlite in the user's data directory]. Prefer the variable for a
    /// URL with a password: command lines are visible to other local users.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,

    /// Check the configuration (and secrets) and exit without serving.
    #[arg(long)]
    pub check_config: bool,

    /// Print the effective settings with their sources (flag, variable,
    /// file, default) as TOML, secrets not shown, and exit.
    #[arg(long, conflicts_with = "check_config")]
    pub print_config: bool,
}

impl ServeArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            listen: self.listen,
            admin_listen: self.admin_listen,
            caller_auth: self.caller_auth,
            log_format: self.log_format,
            database_url: self.database_url.clone(),
        }
    }
}

/// Loads the configuration, starts logging, binds both listeners and
/// serves until SIGTERM or SIGINT, then drains.
pub async fn serve(args: ServeArgs) -> Result<(), ServeError> {
    let signal = shutdown_signal().map_err(ServeError::Signals)?;
    let reloads = ReloadSignals::install().map_err(ServeError::Signals)?;
    // The caller reports an error (the CLI prints it once, on stderr).
    run(
        args,
        async move {
            let name = signal.await;
            tracing::info!(signal = name, "shutdown signal received");
        },
        Some(reloads),
    )
    .await
}

/// [`serve`] with any shutdown trigger (tests, embedding), and no SIGHUP
/// reload. Installs the log subscriber unless one is installed already.
pub async fn serve_until(
    args: ServeArgs,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    run(args, shutdown, None).await
}

async fn run(
    args: ServeArgs,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    reloads: Option<ReloadSignals>,
) -> Result<(), ServeError> {
    let settings = Settings::from_env(args.config.as_deref(), &args.overrides())?;
    if args.print_config {
        print!("{}", settings.render_effective());
        return Ok(());
    }
    crate::telemetry::init_logging(settings.log_format, &settings.log_level)?;
    let built = settings.build().await?;
    if args.check_config {
        if let Some(accounts) = &built.accounts {
            accounts.readiness().await.map_err(|e| {
                ServeError::Config(ConfigError::setting("database_url", e.to_string()))
            })?;
        }
        println!(
            "configuration OK: caller auth {}, applications {}",
            settings.caller_auth.as_str(),
            built
                .service
                .applications()
                .names()
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(());
    }
    if let Some(reloads) = reloads {
        tokio::spawn(reload_on_signal(
            args.clone(),
            built.reload.clone(),
            reloads,
        ));
    }
    let server = Server::bind(
        built.service,
        settings.listen,
        settings.admin_listen,
        settings.shutdown_grace,
    )
    .await?
    .with_api_router(built.api_router);
    tracing::info!(
        api = %server.api_addr(),
        admin = %server.admin_addr(),
        caller_auth = settings.caller_auth.as_str(),
        "sinch-auth token service listening"
    );
    let result = server.run(shutdown).await;
    if let Some(accounts) = built.accounts {
        accounts.close().await;
    }
    result
}

/// On each SIGHUP: the configuration read again as at start-up, its
/// rotated secrets put in place, or the reload refused with a log line.
async fn reload_on_signal(args: ServeArgs, live: Reload, mut reloads: ReloadSignals) {
    while reloads.next().await {
        let fresh = Settings::from_env(args.config.as_deref(), &args.overrides());
        let result = match fresh {
            Ok(fresh) => live.apply(&fresh).await,
            Err(e) => Err(e.into()),
        };
        match result {
            Ok(done) => tracing::info!(
                api_keys = done.api_keys,
                admin_keys = done.admin_keys,
                jwks_reloaded = done.jwks,
                "SIGHUP: configuration reloaded"
            ),
            Err(e) => tracing::warn!(
                error = %e,
                "SIGHUP: configuration reload refused; the running configuration keeps serving"
            ),
        }
    }
}

/// [`serve`] on a new multi-threaded Tokio runtime, for a synchronous
/// `main`.
pub fn serve_blocking(args: ServeArgs) -> Result<(), ServeError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?
        .block_on(serve(args))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CLI spawns or blocks on these; they must stay `Send`.
    #[test]
    fn serve_futures_are_send() {
        fn is_send<T: Send>(_: &T) {}
        let args = ServeArgs::default();
        let serve_future = serve(args.clone());
        is_send(&serve_future);
        let until = serve_until(args, std::future::pending());
        is_send(&until);
    }
}
