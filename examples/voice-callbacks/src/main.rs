//! Runs the example handler on 127.0.0.1.
//!
//! ```sh
//! SINCH_APPLICATION_KEY=... SINCH_APPLICATION_SECRET=... PORT=3000 cargo run -p voice-callbacks
//! sinch-auth simulate voice ice --url http://127.0.0.1:3000/sinch/callback
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use sinch_auth::Application;
use sinch_auth::signing::CallbackVerifier;

#[tokio::main]
async fn main() -> ExitCode {
    let app = match Application::from_env() {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("hint: export SINCH_APPLICATION_KEY and SINCH_APPLICATION_SECRET");
            return ExitCode::from(2);
        }
    };
    let port = match std::env::var("PORT").map(|p| p.parse::<u16>()) {
        Err(_) => 3000,
        Ok(Ok(port)) => port,
        Ok(Err(_)) => {
            eprintln!("error: PORT must be a port number (0 picks a free one)");
            return ExitCode::from(2);
        }
    };
    let listener =
        match tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
            Ok(listener) => listener,
            Err(e) => {
                eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
                return ExitCode::FAILURE;
            }
        };
    let address = listener
        .local_addr()
        .expect("a bound listener has an address");
    // Tests and scripts read this line to find the port.
    println!(
        "listening on http://{address}{}",
        voice_callbacks::CALLBACK_PATH
    );
    let router = voice_callbacks::router(CallbackVerifier::new(app));
    if let Err(e) = axum::serve(listener, router).await {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
