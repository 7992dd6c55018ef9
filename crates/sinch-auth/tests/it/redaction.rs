//! No secret, derived key or expected MAC ever shows in an error's
//! `Display` or `Debug`, nor in the `Debug` of any public type, over a wide
//! sweep of failing calls (FORMATS "Common ground"; project non-negotiables).

use std::collections::HashSet;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sinch_auth::{
    Application, ApplicationSecret, IdentityType, VerifyOptions, dangerous, token::TtlBounds,
};
use time::macros::datetime;

const KEY: &str = "669e367e-6bba-48ab-af15-266871c28135";
/// 32 distinctive bytes, so that any leak of them is unmistakable.
const SECRET_BYTES: [u8; 32] = [
    0x9f, 0x3c, 0x51, 0xe2, 0x07, 0xaa, 0x6d, 0x18, 0xc4, 0x7b, 0x33, 0xfe, 0x02, 0x95, 0x5a, 0xd1,
    0x68, 0x0c, 0xb7, 0x4e, 0x21, 0x8f, 0xe9, 0x36, 0x7d, 0x10, 0xa3, 0x5c, 0xc8, 0x44, 0x9b, 0x6f,
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every 12-character window of every rendering of the secret and of the
/// day keys derived from it, lower-cased: any of them in an output is a leak.
struct Forbidden(HashSet<String>);

const WINDOW: usize = 12;

fn windows(text: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    (0..chars.len().saturating_sub(WINDOW - 1)).map(move |i| chars[i..i + WINDOW].iter().collect())
}

impl Forbidden {
    fn new(app: &Application) -> Self {
        let mut renderings = vec![
            STANDARD.encode(SECRET_BYTES),
            URL_SAFE_NO_PAD.encode(SECRET_BYTES),
            hex(&SECRET_BYTES),
            format!("{:?}", SECRET_BYTES),
            format!("{:02X?}", SECRET_BYTES),
        ];
        for day in [
            datetime!(2026-11-28 08:00 UTC),
            datetime!(2018-01-02 03:04:05 UTC),
        ] {
            let key = sinch_auth::token::derive_signing_key(app.secret(), day.date());
            renderings.push(STANDARD.encode(*key));
            renderings.push(URL_SAFE_NO_PAD.encode(*key));
            renderings.push(hex(&*key));
            renderings.push(format!("{:?}", *key));
        }
        Forbidden(
            renderings
                .iter()
                .flat_map(|r| windows(r).collect::<Vec<_>>())
                .collect(),
        )
    }

    #[track_caller]
    fn check(&self, what: &str, shown: &str) {
        for w in windows(shown) {
            assert!(!self.0.contains(&w), "{what} leaks {w:?}: {shown}");
        }
    }

    #[track_caller]
    fn check_error(&self, what: &str, err: &sinch_auth::Error) {
        self.check(what, &format!("{err}"));
        self.check(what, &format!("{err:?}"));
        self.check(what, &format!("{:?}", err.kind()));
    }
}

fn app() -> Application {
    Application::from_base64(KEY, &STANDARD.encode(SECRET_BYTES)).unwrap()
}

fn expected_ticket_mac(payload: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&SECRET_BYTES).unwrap();
    mac.update(payload);
    mac.finalize().into_bytes().to_vec()
}

#[test]
fn secret_loading_errors_never_echo_the_secret() {
    let app = app();
    let forbidden = Forbidden::new(&app);
    let good = STANDARD.encode(SECRET_BYTES);
    let variants = [
        good.trim_end_matches('=').to_owned(),
        format!("{good}\n\n"),
        format!(" {good}"),
        good.replace('+', "-").replace('/', "_"),
        format!("{good}A"),
        good[..20].to_owned(),
        format!("{good}{good}="),
    ];
    for bad in &variants {
        let from_base64 = ApplicationSecret::from_base64(bad);
        let from_file = ApplicationSecret::from_file_contents(bad);
        let from_vars = Application::from_vars(|name| match name {
            "SINCH_APPLICATION_KEY" => Some(KEY.to_owned()),
            "SINCH_APPLICATION_SECRET" => Some(bad.clone()),
            _ => None,
        });
        for result in [
            from_base64.map(|_| ()),
            from_file.map(|_| ()),
            from_vars.map(|_| ()),
        ] {
            if let Err(err) = result {
                forbidden.check_error(bad, &err);
            }
        }
    }
    // Missing file: the path is shown, the secret is not.
    let err =
        ApplicationSecret::from_file(std::path::Path::new("/nonexistent/secret")).unwrap_err();
    forbidden.check_error("missing file", &err);
}

#[test]
fn verification_errors_never_show_secrets_or_expected_macs() {
    let app = app();
    let forbidden = Forbidden::new(&app);
    let now = datetime!(2026-11-28 08:00 UTC);
    let options = VerifyOptions::default().with_now(now);

    let ticket = app.user_ticket("alice").with_created(now).mint().unwrap();
    let token = app
        .registration_token("alice")
        .with_issued_at(now)
        .mint()
        .unwrap();
    let (ticket_payload_b64, _) = ticket.as_str().split_once(':').unwrap();
    let ticket_payload = STANDARD.decode(ticket_payload_b64).unwrap();
    let real_mac = expected_ticket_mac(&ticket_payload);

    let mut failing: Vec<String> = vec![
        String::new(),
        "garbage".into(),
        format!("{ticket_payload_b64}:{}", STANDARD.encode([0u8; 32])),
        format!("{}:{}", STANDARD.encode(b"{}"), STANDARD.encode([0u8; 32])),
        STANDARD.encode(SECRET_BYTES),
        format!(
            "{}:{}",
            STANDARD.encode(SECRET_BYTES),
            STANDARD.encode(SECRET_BYTES)
        ),
    ];
    // Every single-character substitution of the real credentials.
    for credential in [ticket.as_str(), token.as_str()] {
        for i in 0..credential.len() {
            for c in ['A', 'z', '0', '+', '_', '.', ':', '='] {
                let mut forged = credential.to_owned();
                forged.replace_range(i..i + 1, &c.to_string());
                if forged != credential {
                    failing.push(forged);
                }
            }
        }
    }
    // Valid credentials presented at the wrong time or to the wrong app.
    let late = VerifyOptions::default().with_now(now + time::Duration::days(2));
    let other_app = Application::from_base64(KEY, "ax8hTTQJF0OPXL32r1LHMA==").unwrap();

    let mut checked = 0;
    for input in &failing {
        for result in [
            app.verify_ticket(input, &options).map(|_| ()),
            app.verify_token(input, &options).map(|_| ()),
            app.verify(input, &options).map(|_| ()),
            dangerous::decode_without_verification(input).map(|_| ()),
        ] {
            if let Err(err) = result {
                forbidden.check_error(input, &err);
                let shown = format!("{err} {err:?}");
                for mac in [STANDARD.encode(&real_mac), hex(&real_mac)] {
                    assert!(
                        !shown.contains(&mac),
                        "{input}: shows the expected MAC: {shown}"
                    );
                }
                checked += 1;
            }
        }
    }
    for credential in [ticket.as_str(), token.as_str()] {
        for err in [
            app.verify(credential, &late).unwrap_err(),
            other_app.verify(credential, &options).unwrap_err(),
        ] {
            forbidden.check_error(credential, &err);
            checked += 1;
        }
    }
    assert!(checked > 5_000, "only {checked} failures checked");
}

#[test]
fn minting_errors_never_show_secrets() {
    let app = app();
    let forbidden = Forbidden::new(&app);
    let secret_text = STANDARD.encode(SECRET_BYTES);
    let errors = [
        app.user_ticket("").mint().unwrap_err(),
        app.user_ticket("a\u{1}").mint().unwrap_err(),
        app.user_ticket("x")
            .with_identity_type(IdentityType::Number)
            .mint()
            .unwrap_err(),
        app.user_ticket("x")
            .with_expires_in(Duration::ZERO)
            .mint()
            .unwrap_err(),
        app.user_ticket("x")
            .with_created(datetime!(9999-12-31 23:59 UTC))
            .mint()
            .unwrap_err(),
        app.registration_token("a b").mint().unwrap_err(),
        app.registration_token(secret_text.as_str())
            .mint()
            .unwrap_err(),
        app.registration_token("x")
            .with_ttl(Duration::from_secs(1))
            .mint()
            .unwrap_err(),
        app.registration_token("x")
            .with_instance_ttl(Duration::from_secs(1))
            .mint()
            .unwrap_err(),
        app.registration_token("x")
            .with_nonce("")
            .mint()
            .unwrap_err(),
        TtlBounds::new(Duration::from_secs(1), Duration::from_secs(2)).unwrap_err(),
    ];
    for err in &errors {
        forbidden.check_error("mint", err);
    }
}

#[test]
fn debug_output_of_public_types_is_redacted() {
    let app = app();
    let forbidden = Forbidden::new(&app);
    let now = datetime!(2026-11-28 08:00 UTC);
    let ticket = app.user_ticket("alice").with_created(now).mint().unwrap();
    let token = app
        .registration_token("alice")
        .with_issued_at(now)
        .mint()
        .unwrap();
    let options = VerifyOptions::default().with_now(now);
    let shown = [
        format!("{app:?}"),
        format!("{:?}", app.secret()),
        format!("{}", app.secret()),
        format!("{:?}", app.clone()),
        format!("{:?}", app.user_ticket("alice")),
        format!("{:?}", app.registration_token("alice")),
        format!("{ticket:?}"),
        format!("{token:?}"),
        format!("{:?}", app.verify(ticket.as_str(), &options).unwrap()),
        format!("{:?}", app.verify(token.as_str(), &options).unwrap()),
        format!(
            "{:?}",
            dangerous::decode_without_verification(token.as_str()).unwrap()
        ),
    ];
    for text in &shown {
        forbidden.check("Debug", text);
    }
    // Minted credentials are bearer tokens: their Debug hides them too.
    assert!(!format!("{ticket:?}").contains(ticket.as_str().split(':').nth(1).unwrap()));
    assert!(!format!("{token:?}").contains(token.as_str().rsplit('.').next().unwrap()));
}

#[test]
fn the_leak_detector_detects_leaks() {
    let app = app();
    let forbidden = Forbidden::new(&app);
    let b64 = STANDARD.encode(SECRET_BYTES);
    let leaks = [
        format!("bad secret {}", &b64[5..20]),
        format!("key {}", hex(&SECRET_BYTES[3..10]).to_uppercase()),
        format!("{:?}", &SECRET_BYTES[..4]),
    ];
    for leak in &leaks {
        let caught = std::panic::catch_unwind(|| forbidden.check("probe", leak));
        assert!(caught.is_err(), "missed a leak in {leak}");
    }
    forbidden.check("clean", "user ticket signature does not match");
}
