//! Property: no sequence of requests (sign-ups, logins, logouts, password
//! changes, ticket and token requests by live, logged-out and revoked
//! sessions, naming various users in the body) yields a credential for a
//! user other than the session's. Every credential minted is verified with
//! the application secret and its user compared with a model of accounts
//! and sessions; every refusal is checked against the model too.

use crate::accounts_suite::harness;
use crate::common;

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use common::{app, unlimited};
use harness::*;
use proptest::prelude::*;
use sinch_auth::VerifyOptions;

const USERS: [&str; 3] = ["alice", "bob", "carol"];
const PASSWORDS: [&str; 3] = ["password one", "password two", "password three"];

/// A password as an op names it: `Right` is whatever the model says the
/// account's password is when the op runs (so that most logins and
/// changes succeed and sessions pile up), `Guess` a fixed one.
#[derive(Debug, Clone, Copy)]
enum Pw {
    Right,
    Guess(usize),
}

#[derive(Debug, Clone)]
enum Op {
    SignUp {
        user: usize,
        password: usize,
    },
    LogIn {
        user: usize,
        password: Pw,
    },
    LogOut {
        session: usize,
    },
    ChangePassword {
        session: usize,
        current: Pw,
        new: usize,
    },
    Ticket {
        session: usize,
        body_user: Option<usize>,
    },
    Token {
        session: usize,
        body_user: Option<usize>,
    },
}

fn pw() -> impl Strategy<Value = Pw> {
    prop_oneof![3 => Just(Pw::Right), 1 => (0..PASSWORDS.len()).prop_map(Pw::Guess)]
}

fn op() -> impl Strategy<Value = Op> {
    let user = 0..USERS.len();
    let password = 0..PASSWORDS.len();
    let session = 0..8usize;
    let body_user = proptest::option::of(0..USERS.len());
    prop_oneof![
        1 => (user.clone(), password.clone()).prop_map(|(user, password)| Op::SignUp { user, password }),
        3 => (user, pw()).prop_map(|(user, password)| Op::LogIn { user, password }),
        1 => session.clone().prop_map(|session| Op::LogOut { session }),
        1 => (session.clone(), pw(), password)
            .prop_map(|(session, current, new)| Op::ChangePassword { session, current, new }),
        3 => (session.clone(), body_user.clone()).prop_map(|(session, body_user)| Op::Ticket { session, body_user }),
        3 => (session, body_user).prop_map(|(session, body_user)| Op::Token { session, body_user }),
    ]
}

/// Every user signs up first (in a random order, with random passwords),
/// then the random ops run.
fn ops() -> impl Strategy<Value = Vec<Op>> {
    let first = Just((0..USERS.len()).collect::<Vec<_>>())
        .prop_shuffle()
        .prop_flat_map(|order| {
            prop::collection::vec(0..PASSWORDS.len(), USERS.len()).prop_map(move |pws| {
                order
                    .iter()
                    .zip(pws)
                    .map(|(&user, password)| Op::SignUp { user, password })
                    .collect::<Vec<_>>()
            })
        });
    (first, prop::collection::vec(op(), 1..24)).prop_map(|(mut first, rest)| {
        first.extend(rest);
        first
    })
}

struct SessionModel {
    cookie: String,
    user: usize,
    live: bool,
}

#[derive(Default)]
struct Model {
    passwords: HashMap<usize, usize>,
    sessions: Vec<SessionModel>,
}

impl Model {
    /// The password index an op means.
    fn password(&self, user: usize, pw: Pw) -> usize {
        match pw {
            Pw::Right => self.passwords.get(&user).copied().unwrap_or(0),
            Pw::Guess(i) => i,
        }
    }

    /// The session an op refers to (None: a request without a cookie).
    fn session(&self, index: usize) -> Option<usize> {
        (!self.sessions.is_empty()).then(|| index % self.sessions.len())
    }
}

fn user_of_ticket(ticket: &str) -> String {
    app()
        .verify_ticket(ticket, &VerifyOptions::default())
        .expect("every ticket verifies")
        .user_id()
        .to_owned()
}

fn user_of_token(token: &str) -> String {
    app()
        .verify_token(token, &VerifyOptions::default())
        .expect("every token verifies")
        .user_id()
        .to_owned()
}

async fn run(ops: Vec<Op>) {
    let db = TestDatabase::sqlite().await;
    let h = Harness::start_with(&db, test_options(), unlimited()).await;
    let mut model = Model::default();
    for op in ops {
        match op {
            Op::SignUp { user, password } => {
                let reply = h.sign_up(USERS[user], PASSWORDS[password]).await;
                match model.passwords.entry(user) {
                    Entry::Occupied(_) => assert_eq!(reply.status, 409, "{op:?}: {}", reply.text),
                    Entry::Vacant(slot) => {
                        assert_eq!(reply.status, 201, "{op:?}: {}", reply.text);
                        slot.insert(password);
                    }
                }
            }
            Op::LogIn { user, password } => {
                let password = model.password(user, password);
                let reply = h.log_in(USERS[user], PASSWORDS[password]).await;
                if model.passwords.get(&user) == Some(&password) {
                    assert_eq!(reply.status, 200, "{op:?}: {}", reply.text);
                    let body = reply.json();
                    assert_eq!(
                        user_of_ticket(body["userTicket"].as_str().unwrap()),
                        USERS[user]
                    );
                    assert_eq!(user_of_token(body["token"].as_str().unwrap()), USERS[user]);
                    assert_eq!(body["userId"], USERS[user]);
                    model.sessions.push(SessionModel {
                        cookie: session_cookie(&reply),
                        user,
                        live: true,
                    });
                } else {
                    assert_eq!(reply.status, 401, "{op:?}: {}", reply.text);
                    assert!(reply.header("set-cookie").is_none());
                }
            }
            Op::LogOut { session } => {
                let request = json_post("/v1/logout", "{}");
                let request = match model.session(session) {
                    Some(s) => {
                        model.sessions[s].live = false;
                        with_cookie(request, &model.sessions[s].cookie)
                    }
                    None => request,
                };
                assert_eq!(h.call(request).await.status, 204, "{op:?}");
            }
            Op::ChangePassword {
                session,
                current,
                new,
            } => {
                let current = match model.session(session) {
                    Some(s) => model.password(model.sessions[s].user, current),
                    None => model.password(0, current),
                };
                let body = serde_json::json!({
                    "currentPassword": PASSWORDS[current],
                    "newPassword": PASSWORDS[new],
                })
                .to_string();
                let request = json_post("/v1/accounts/me/password", &body);
                let Some(s) = model.session(session) else {
                    assert_eq!(h.call(request).await.status, 401, "{op:?}");
                    continue;
                };
                let reply = h
                    .call(with_cookie(request, &model.sessions[s].cookie))
                    .await;
                let owner = model.sessions[s].user;
                if !model.sessions[s].live {
                    assert_eq!(reply.status, 401, "{op:?}: {}", reply.text);
                } else if model.passwords[&owner] != current {
                    assert_eq!(reply.status, 403, "{op:?}: {}", reply.text);
                } else {
                    assert_eq!(reply.status, 200, "{op:?}: {}", reply.text);
                    let mut revoked = 0;
                    for (i, other) in model.sessions.iter_mut().enumerate() {
                        if other.user == owner && other.live && i != s {
                            other.live = false;
                            revoked += 1;
                        }
                    }
                    assert_eq!(reply.json()["otherSessionsRevoked"], revoked, "{op:?}");
                    model.passwords.insert(owner, new);
                }
            }
            Op::Ticket { session, body_user } | Op::Token { session, body_user } => {
                let is_ticket = matches!(op, Op::Ticket { .. });
                let path = if is_ticket {
                    "/v1/tickets"
                } else {
                    "/v1/registration-tokens"
                };
                let body = match body_user {
                    Some(u) => serde_json::json!({"userId": USERS[u]}).to_string(),
                    None => "{}".to_owned(),
                };
                let request = json_post(path, &body);
                let Some(s) = model.session(session) else {
                    assert_eq!(h.call(request).await.status, 401, "{op:?}");
                    continue;
                };
                let reply = h
                    .call(with_cookie(request, &model.sessions[s].cookie))
                    .await;
                let owner = model.sessions[s].user;
                if !model.sessions[s].live {
                    assert_eq!(reply.status, 401, "{op:?}: {}", reply.text);
                } else if body_user.is_some_and(|u| u != owner) {
                    assert_eq!(reply.status, 403, "{op:?}: {}", reply.text);
                } else {
                    assert_eq!(reply.status, 200, "{op:?}: {}", reply.text);
                    let body = reply.json();
                    let minted_for = if is_ticket {
                        user_of_ticket(body["userTicket"].as_str().unwrap())
                    } else {
                        user_of_token(body["token"].as_str().unwrap())
                    };
                    assert_eq!(minted_for, USERS[owner], "{op:?}");
                    assert_eq!(body["userId"], USERS[owner]);
                }
            }
        }
    }
    db.cleanup().await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn credentials_only_ever_go_to_the_session_user(ops in ops()) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(run(ops));
    }
}
