//! Properties of minting and verifying, over generated inputs (proptest):
//! round trips, tamper evidence, no panics, and the exact ticket JSON.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use proptest::prelude::*;
use sinch_auth::{Application, IdentityType, VerifyOptions, dangerous, parse_timestamp};
use time::OffsetDateTime;

// ---------------------------------------------------------------- inputs

/// Valid application keys: printable ASCII without `:`, including the
/// characters JSON must escape (`"`, `\`) and the one PHP escapes (`/`).
fn app_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a32e5a8d-f7d8-411c-9645-9038e8dd051d".to_owned()),
        "[0-9A-F]{32}",
        "[!-9;-~]{1,60}",
    ]
}

fn secret() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 16..=64)
}

fn application() -> impl Strategy<Value = Application> {
    (app_key(), secret()).prop_map(|(key, secret)| {
        Application::from_base64(&key, &STANDARD.encode(secret))
            .expect("generated inputs are valid")
    })
}

fn is_ticket_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Any valid username: non-ASCII, astral, whitespace of every kind, JSON
/// and PHP specials, up to the 255-byte limit.
fn ticket_username() -> impl Strategy<Value = String> {
    let interesting = prop::sample::select(vec![
        ' ',
        '\u{a0}',
        '\u{2028}',
        '\u{3000}',
        '"',
        '\\',
        '/',
        'ë',
        'Ω',
        '日',
        '😀',
        '\u{10ffff}',
        '\u{feff}',
        '\u{200b}',
        '\u{7e}',
    ]);
    let ch = prop_oneof![
        3 => any::<char>().prop_filter("no control characters", |c| !is_ticket_control(*c)),
        1 => interesting,
    ];
    prop::collection::vec(ch, 1..80)
        .prop_map(|cs| cs.into_iter().collect::<String>())
        .prop_filter("at most 255 bytes", |s| s.len() <= 255)
}

fn ticket_identity() -> impl Strategy<Value = (IdentityType, String)> {
    prop_oneof![
        ticket_username().prop_map(|u| (IdentityType::Username, u)),
        ("[^@\\s\\p{Cc}]{1,30}", "[^@\\s\\p{Cc}]{1,30}")
            .prop_filter("no ticket control characters", |(l, d)| {
                !l.chars().chain(d.chars()).any(is_ticket_control)
            })
            .prop_map(|(l, d)| (IdentityType::Email, format!("{l}@{d}"))),
        "\\+[0-9]{1,15}".prop_map(|n| (IdentityType::Number, n)),
    ]
}

/// Creation times in years 0000-9931 (so that `created + expiresIn` stays
/// within 9999), at any offset and with nanoseconds that minting drops.
fn created() -> impl Strategy<Value = OffsetDateTime> {
    (
        -62_167_219_200i64..=251_000_000_000,
        0u32..1_000_000_000,
        -86_399i32..=86_399,
    )
        .prop_map(|(secs, nanos, offset)| {
            let offset = time::UtcOffset::from_whole_seconds(offset).unwrap();
            let utc = OffsetDateTime::from_unix_timestamp(secs)
                .unwrap()
                .replace_nanosecond(nanos)
                .unwrap();
            // Keep the instant; only the written offset changes.
            utc.checked_to_offset(offset).unwrap_or(utc)
        })
}

fn token_user_id() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Za-z0-9_=-]{1,40}", "[A-Za-z0-9_=-]{255}",]
}

/// A custom nonce: 1-255 bytes, no control characters, JSON specials welcome.
fn custom_nonce() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            any::<char>().prop_filter("no control characters", |c| !c.is_control()),
            prop::sample::select(vec!['"', '\\', '/', 'é', '😀']),
        ],
        1..60,
    )
    .prop_map(|cs| cs.into_iter().collect::<String>())
    .prop_filter("at most 255 bytes", |s| s.len() <= 255)
}

/// Times where `iat`, its 24 h TTL maximum and any instance TTL stay valid.
fn issued_at() -> impl Strategy<Value = OffsetDateTime> {
    (0i64..=253_402_300_799 - 2 * i64::from(i32::MAX))
        .prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap())
}

// ---------------------------------------------------------------- helpers

/// What PHP's `json_encode` writes for a string, built independently of the
/// crate: serde_json's escaping, then `/` and every non-ASCII character
/// escaped as PHP does (lower-case hex, UTF-16 surrogate pairs).
fn php_json_string(value: &str) -> String {
    let mut out = String::new();
    for c in serde_json::to_string(value).unwrap().chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

fn seed_created(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn at(t: OffsetDateTime) -> VerifyOptions {
    VerifyOptions::default().with_now(t)
}

/// Characters edits put into credentials: both base64 alphabets, the
/// separators, whitespace and a non-ASCII letter.
const EDIT_CHARS: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.: \n\u{e9}";

/// One way of changing one character of a credential.
#[derive(Debug, Clone, Copy)]
enum Edit {
    Replace(usize, char),
    Insert(usize, char),
    Delete(usize),
}

impl Edit {
    fn apply(self, credential: &str) -> String {
        let mut chars: Vec<char> = credential.chars().collect();
        match self {
            Edit::Replace(i, c) => chars[i] = c,
            Edit::Insert(i, c) => chars.insert(i, c),
            Edit::Delete(i) => {
                chars.remove(i);
            }
        }
        chars.into_iter().collect()
    }
}

/// Every single-character edit that changes `credential`.
fn single_char_edits(credential: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = credential.chars().collect();
    let len = chars.len();
    (0..=len)
        .flat_map(move |i| {
            let here = chars.get(i).copied();
            let inserts = EDIT_CHARS.chars().map(move |c| Edit::Insert(i, c));
            let replaces = EDIT_CHARS
                .chars()
                .filter(move |&c| here.is_some_and(|h| h != c))
                .map(move |c| Edit::Replace(i, c));
            let delete = (i < len).then_some(Edit::Delete(i));
            inserts.chain(replaces).chain(delete)
        })
        .map(move |edit| edit.apply(credential))
}

/// A random single-character edit: any position, any character (from the
/// credential alphabets or anywhere in Unicode).
fn random_edit(
    credential: &str,
    position: prop::sample::Index,
    kind: u8,
    alphabet_char: prop::sample::Index,
    any_char: char,
    use_any_char: bool,
) -> Option<String> {
    let len = credential.chars().count();
    let c = if use_any_char {
        any_char
    } else {
        EDIT_CHARS
            .chars()
            .nth(alphabet_char.index(EDIT_CHARS.chars().count()))
            .unwrap()
    };
    let edit = match kind {
        0 => Edit::Replace(position.index(len), c),
        1 => Edit::Insert(position.index(len + 1), c),
        _ => Edit::Delete(position.index(len)),
    };
    let edited = edit.apply(credential);
    (edited != credential).then_some(edited)
}

/// A base64 decoder that ignores non-canonical trailing bits, as many do.
fn lenient(alphabet: &base64::alphabet::Alphabet, pad: bool) -> impl base64::Engine {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    GeneralPurpose::new(
        alphabet,
        GeneralPurposeConfig::new()
            .with_encode_padding(pad)
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

fn edit() -> impl Strategy<Value = (prop::sample::Index, u8, prop::sample::Index, char, bool)> {
    (
        any::<prop::sample::Index>(),
        0u8..3,
        any::<prop::sample::Index>(),
        any::<char>(),
        prop::bool::weighted(0.2),
    )
}

// ---------------------------------------------------------------- tickets

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn ticket_round_trip(
        app in application(),
        (identity_type, user) in ticket_identity(),
        expires_in in 1u64..=i32::MAX as u64,
        created in created(),
    ) {
        let ticket = app
            .user_ticket(user.as_str())
            .with_identity_type(identity_type)
            .with_expires_in(Duration::from_secs(expires_in))
            .with_created(created)
            .mint()
            .unwrap();
        let whole = created.replace_nanosecond(0).unwrap();
        let claims = app.verify_ticket(ticket.as_str(), &at(whole)).unwrap();
        prop_assert_eq!(claims.user_id(), user.as_str());
        prop_assert_eq!(claims.identity_type(), identity_type);
        prop_assert_eq!(claims.application_key(), app.key().as_str());
        prop_assert_eq!(u64::from(claims.expires_in()), expires_in);
        prop_assert_eq!(claims.created(), whole);
        prop_assert_eq!(claims.expires_at(), whole + time::Duration::seconds(expires_in as i64));
        prop_assert_eq!(ticket.expires_at(), claims.expires_at());
    }

    #[test]
    fn ticket_payload_is_ascii_and_exactly_the_seed_json(
        app in application(),
        (identity_type, user) in ticket_identity(),
        expires_in in 1u64..=i32::MAX as u64,
        created in created(),
    ) {
        let ticket = app
            .user_ticket(user.as_str())
            .with_identity_type(identity_type)
            .with_expires_in(Duration::from_secs(expires_in))
            .with_created(created)
            .mint()
            .unwrap();
        let (payload_b64, _) = ticket.as_str().split_once(':').unwrap();
        let payload = STANDARD.decode(payload_b64).unwrap();
        prop_assert!(payload.is_ascii());

        let expected = format!(
            r#"{{"identity":{{"type":{},"endpoint":{}}},"expiresIn":{},"applicationKey":{},"created":{}}}"#,
            php_json_string(identity_type.as_str()),
            php_json_string(&user),
            expires_in,
            php_json_string(app.key().as_str()),
            php_json_string(&seed_created(created)),
        );
        prop_assert_eq!(std::str::from_utf8(&payload).unwrap(), expected.as_str());

        // And serde_json reads back exactly what was given.
        let parsed: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        prop_assert_eq!(parsed["identity"]["endpoint"].as_str(), Some(user.as_str()));
        prop_assert_eq!(parsed["identity"]["type"].as_str(), Some(identity_type.as_str()));
        prop_assert_eq!(parsed["applicationKey"].as_str(), Some(app.key().as_str()));
        prop_assert_eq!(parsed["expiresIn"].as_u64(), Some(expires_in));
        prop_assert_eq!(
            parse_timestamp(parsed["created"].as_str().unwrap()).unwrap(),
            created.replace_nanosecond(0).unwrap()
        );
    }

    #[test]
    fn any_single_char_edit_breaks_a_ticket(
        app in application(),
        user in ticket_username(),
        created in created(),
        (position, kind, alphabet_char, any_char, use_any_char) in edit(),
    ) {
        let ticket = app.user_ticket(user.as_str()).with_created(created).mint().unwrap();
        let options = at(created.replace_nanosecond(0).unwrap());
        prop_assert!(app.verify_ticket(ticket.as_str(), &options).is_ok());
        let edited = random_edit(ticket.as_str(), position, kind, alphabet_char, any_char, use_any_char);
        prop_assume!(edited.is_some());
        let forged = edited.as_deref().unwrap();
        prop_assert!(app.verify_ticket(forged, &options).is_err(), "accepted {forged}");
        prop_assert_eq!(
            app.verify(forged, &options).is_ok(),
            forged.trim() == ticket.as_str(),
            "verify() only forgives surrounding whitespace: {:?}",
            forged
        );
    }

    #[test]
    fn any_single_char_edit_breaks_a_token(
        app in application(),
        user in token_user_id(),
        iat in issued_at(),
        (position, kind, alphabet_char, any_char, use_any_char) in edit(),
    ) {
        let token = app.registration_token(user.as_str()).with_issued_at(iat).mint().unwrap();
        let options = at(iat);
        prop_assert!(app.verify_token(token.as_str(), &options).is_ok());
        let edited = random_edit(token.as_str(), position, kind, alphabet_char, any_char, use_any_char);
        prop_assume!(edited.is_some());
        let forged = edited.as_deref().unwrap();
        prop_assert!(app.verify_token(forged, &options).is_err(), "accepted {forged}");
        prop_assert_eq!(
            app.verify(forged, &options).is_ok(),
            forged.trim() == token.as_str(),
            "verify() only forgives surrounding whitespace: {:?}",
            forged
        );
    }
}

// ---------------------------------------------------------------- tokens

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn token_round_trip(
        app in application(),
        user in token_user_id(),
        ttl in 60u64..=86_400,
        instance_ttl in prop::option::of(172_800u64..=i32::MAX as u64),
        nonce in prop::option::of(custom_nonce()),
        iat in issued_at(),
    ) {
        let mut builder = app
            .registration_token(user.as_str())
            .with_ttl(Duration::from_secs(ttl))
            .with_issued_at(iat);
        if let Some(t) = instance_ttl {
            builder = builder.with_instance_ttl(Duration::from_secs(t));
        }
        if let Some(n) = &nonce {
            builder = builder.with_nonce(n.as_str());
        }
        let token = builder.mint().unwrap();
        let claims = app.verify_token(token.as_str(), &at(iat)).unwrap();
        prop_assert_eq!(claims.user_id(), user.as_str());
        prop_assert_eq!(claims.application_key(), app.key().as_str());
        prop_assert_eq!(claims.issued_at(), iat);
        prop_assert_eq!(claims.expires_at(), iat + time::Duration::seconds(ttl as i64));
        prop_assert_eq!(token.expires_at(), claims.expires_at());
        prop_assert_eq!(
            claims.instance_expires_at(),
            instance_ttl.map(|t| iat + time::Duration::seconds(t as i64))
        );
        prop_assert_eq!(claims.key_id(), sinch_auth::token::key_id(iat.date()));
        match &nonce {
            Some(n) => prop_assert_eq!(claims.nonce(), n.as_str()),
            None => {
                let parsed = uuid::Uuid::parse_str(claims.nonce()).unwrap();
                prop_assert_eq!(parsed.get_version_num(), 4);
            }
        }

        // The claims JSON is sorted, compact, and what serde_json reads back.
        let claims_b64 = token.as_str().split('.').nth(1).unwrap();
        let json = URL_SAFE_NO_PAD.decode(claims_b64).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        prop_assert_eq!(serde_json::to_vec(&value).unwrap(), json);
    }
}

// ---------------------------------------------------------------- no panics

fn any_app() -> Application {
    Application::from_base64(
        "a32e5a8d-f7d8-411c-9645-9038e8dd051d",
        "ax8hTTQJF0OPXL32r1LHMA==",
    )
    .unwrap()
}

/// Everything that reads untrusted text, at once; each must fail cleanly.
fn must_reject(app: &Application, input: &str) -> Result<(), TestCaseError> {
    let options = VerifyOptions::default();
    prop_assert!(app.verify_ticket(input, &options).is_err());
    prop_assert!(app.verify_token(input, &options).is_err());
    prop_assert!(app.verify(input, &options).is_err());
    let _ = dangerous::detect(input);
    let _ = dangerous::decode_without_verification(input);
    let _ = parse_timestamp(input);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_are_rejected_without_panic(input in any::<String>()) {
        must_reject(&any_app(), &input)?;
    }

    #[test]
    fn strings_of_credential_characters_are_rejected_without_panic(
        input in "[A-Za-z0-9+/=:._-]{0,300}",
    ) {
        must_reject(&any_app(), &input)?;
    }

    #[test]
    fn well_formed_looking_garbage_decodes_without_panic(
        header in prop::collection::vec(any::<u8>(), 0..80),
        claims in prop::collection::vec(any::<u8>(), 0..200),
        signature in prop::collection::vec(any::<u8>(), 0..40),
        json_header in "\\{\"alg\":\"(HS256|none|RS256)\",\"kid\":\"[a-z0-9-]{0,20}\"\\}",
    ) {
        let app = any_app();
        for token in [
            format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode(&header),
                URL_SAFE_NO_PAD.encode(&claims),
                URL_SAFE_NO_PAD.encode(&signature)
            ),
            format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode(&json_header),
                URL_SAFE_NO_PAD.encode(&claims),
                URL_SAFE_NO_PAD.encode(&signature)
            ),
        ] {
            must_reject(&app, &token)?;
        }
        let ticket = format!("{}:{}", STANDARD.encode(&claims), STANDARD.encode(&signature));
        must_reject(&app, &ticket)?;
    }

    #[test]
    fn mutated_real_credentials_are_rejected_without_panic(
        which in any::<bool>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<char>()), 1..6),
    ) {
        let app = any_app();
        let real = if which {
            app.user_ticket("Zoë 😀").mint().unwrap().into_string()
        } else {
            app.registration_token("alice").mint().unwrap().into_string()
        };
        let mut chars: Vec<char> = real.chars().collect();
        for (index, c) in edits {
            let i = index.index(chars.len());
            chars[i] = c;
        }
        let mutated: String = chars.into_iter().collect();
        prop_assume!(mutated != real);
        must_reject(&app, &mutated)?;
    }
}

// ------------------------------------------- exhaustive single-char edits

/// Every single-character edit of the reference ticket and token fails,
/// including the edits a lenient base64 decoder would not even notice.
#[test]
fn every_single_char_edit_of_the_reference_credentials_fails() {
    let app = any_app();
    let now = parse_timestamp("2026-11-28T08:00:00Z").unwrap();
    let ticket = app.user_ticket("alice").with_created(now).mint().unwrap();
    let token = app
        .registration_token("alice")
        .with_issued_at(now)
        .mint()
        .unwrap();
    let options = at(now);
    assert!(app.verify(ticket.as_str(), &options).is_ok());
    assert!(app.verify(token.as_str(), &options).is_ok());

    for credential in [ticket.as_str(), token.as_str()] {
        let mut tried = 0;
        for forged in single_char_edits(credential) {
            assert!(
                app.verify_ticket(&forged, &options).is_err(),
                "accepted {forged}"
            );
            assert!(
                app.verify_token(&forged, &options).is_err(),
                "accepted {forged}"
            );
            assert_eq!(
                app.verify(&forged, &options).is_ok(),
                forged.trim() == credential,
                "verify() only forgives surrounding whitespace: {forged:?}"
            );
            tried += 1;
        }
        assert!(tried > 10_000, "{tried}");
    }
}

/// The strict-decoding claim, checked rather than assumed: some edits change
/// only base64 padding bits, so a lenient decoder yields the very same bytes
/// (and thus a valid MAC); strict decoding is what rejects them.
#[test]
fn trailing_bit_edits_decode_the_same_leniently_and_are_still_rejected() {
    let app = any_app();
    let now = parse_timestamp("2026-11-28T08:00:00Z").unwrap();
    let options = at(now);

    // Ticket signature: 32 bytes in 44 characters, the last before `=`
    // carries 2 unused bits.
    let ticket = app.user_ticket("alice").with_created(now).mint().unwrap();
    let (payload, signature) = ticket.as_str().split_once(':').unwrap();
    let lenient_std = lenient(&base64::alphabet::STANDARD, true);
    let mut silent = 0;
    for forged_sig in single_char_edits(signature) {
        if lenient_std.decode(&forged_sig).ok() == STANDARD.decode(signature).ok() {
            silent += 1;
            let forged = format!("{payload}:{forged_sig}");
            assert!(
                app.verify_ticket(&forged, &options).is_err(),
                "accepted {forged}"
            );
        }
    }
    assert!(silent >= 3, "expected trailing-bit edits, found {silent}");

    // Token signature: 32 bytes in 43 characters, 2 unused bits; a lenient
    // decoder also accepts appended padding.
    let token = app
        .registration_token("alice")
        .with_issued_at(now)
        .mint()
        .unwrap();
    let (input, signature) = token.as_str().rsplit_once('.').unwrap();
    let lenient_url = lenient(&base64::alphabet::URL_SAFE, false);
    let mut silent = 0;
    for forged_sig in single_char_edits(signature) {
        if lenient_url.decode(&forged_sig).ok() == URL_SAFE_NO_PAD.decode(signature).ok() {
            silent += 1;
            let forged = format!("{input}.{forged_sig}");
            assert!(
                app.verify_token(&forged, &options).is_err(),
                "accepted {forged}"
            );
        }
    }
    assert!(silent >= 3, "expected trailing-bit edits, found {silent}");
}
