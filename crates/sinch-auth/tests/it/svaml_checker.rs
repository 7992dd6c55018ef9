//! The SVAML checker's table of answers: every bad answer names the right
//! place and says why; every good one passes.

use sinch_auth::simulate::VoiceEvent::{self, Ace, Dice, Ice, Notify, Pie};
use sinch_auth::simulate::svaml::SvamlChecker;

/// (event, answer, expected problems as "at: fragment of the message").
const BAD: &[(VoiceEvent, &str, &[&str])] = &[
    (Ice, "", &["body: empty"]),
    (Ice, "  \n", &["body: empty"]),
    (Ace, "<Response/>", &["body: not JSON"]),
    (Pie, "[]", &["body: must be a JSON object"]),
    (Ice, r##"{}"##, &["action: missing"]),
    (Ice, r##"{"instructions":[]}"##, &["action: missing"]),
    (
        Ice,
        r##"{"action":[{"name":"hangup"}]}"##,
        &["action: one action only"],
    ),
    (
        Ice,
        r##"{"action":"hangup"}"##,
        &["action: must be an object"],
    ),
    (Ice, r##"{"action":{}}"##, &["action.name: missing"]),
    (
        Ice,
        r##"{"action":{"name":7}}"##,
        &["action.name: must be a string"],
    ),
    (
        Ice,
        r##"{"action":{"name":"dial"}}"##,
        &["action.name: unknown action \"dial\"; answers to ICE may use hangup, connectPstn"],
    ),
    (
        Ice,
        r##"{"action":{"name":"continue"}}"##,
        &["action.name: continue is not allowed in an answer to ICE"],
    ),
    (
        Ace,
        r##"{"action":{"name":"connectPstn","number":"+46700000002"}}"##,
        &["action.name: connectPstn is not allowed in an answer to ACE"],
    ),
    (
        Ace,
        r##"{"action":{"name":"park"}}"##,
        &["action.name: park is not allowed in an answer to ACE"],
    ),
    (
        Pie,
        r##"{"action":{"name":"connectMxp"}}"##,
        &["action.name: connectMxp is not allowed in an answer to PIE"],
    ),
    (
        Ice,
        r##"{"action":{"name":"hangup"},"actions":[]}"##,
        &["actions: unknown member"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectPstn"}}"##,
        &["action.number: missing: without it Sinch dials"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectPstn","number":"46700000002"}}"##,
        &["action.number: \"46700000002\" is not E.164"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectPstn","number":4670}}"##,
        &["action.number: must be a string"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectPstn","number":"+46700000002","cli":"0700"}}"##,
        &["action.cli: \"0700\" is neither E.164"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectPstn","number":"+46700000002","maxDuration":20000}}"##,
        &["action.maxDuration: must be 0 to 14400"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectPstn","number":"+46700000002","maxDuration":"60"}}"##,
        &["action.maxDuration: must be a whole number"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectPstn","number":"+46700000002","dtmf":"12*"}}"##,
        &["action.dtmf: only 0-9, # and w"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectPstn","number":"+46700000002","timeout":10}}"##,
        &["action.timeout: unknown field for connectPstn (it takes: number, locale"],
    ),
    (
        Ice,
        r##"{"action":{"name":"hangup","reason":"busy"}}"##,
        &["action.reason: unknown field for hangup (it takes: none)"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectConf"}}"##,
        &["action.conferenceId: missing: connectConf requires it"],
    ),
    (
        Ace,
        r##"{"action":{"name":"connectConf","conferenceId":""}}"##,
        &["action.conferenceId: must be 1 to 64 characters"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectSip"}}"##,
        &["action.destination: missing: connectSip requires it"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectSip","destination":{"type":"number","endpoint":"+4670"}}}"##,
        &["action.destination.type: must be \"sip\""],
    ),
    (
        Pie,
        r##"{"action":{"name":"connectSip","destination":{"type":"sip"}}}"##,
        &["action.destination.endpoint: missing"],
    ),
    (
        Ice,
        r##"{"action":{"name":"connectStream","destination":{"type":"websocket"}}}"##,
        &["action.destination.endpoint: missing"],
    ),
    (
        Ice,
        r##"{"action":{"name":"runMenu"}}"##,
        &["action.menus: missing: runMenu requires it"],
    ),
    (
        Ice,
        r##"{"action":{"name":"runMenu","menus":[{"id":"start"}]}}"##,
        &["action.menus: no menu has the id \"main\""],
    ),
    (
        Ace,
        r##"{"action":{"name":"runMenu","menus":[{"id":"main","options":[{"dtmf":"1","action":"menu(billing)"}]}]}}"##,
        &["action.menus[0].options[0].action: menu(billing) names no menu"],
    ),
    (
        Pie,
        r##"{"action":{"name":"runMenu","menus":[{"id":"main","options":[{"action":"goto(2)"}]}]}}"##,
        &[
            "action.menus[0].options[0].dtmf: missing",
            "action.menus[0].options[0].action: \"goto(2)\" is neither menu(ID) nor return(VALUE)",
        ],
    ),
    (
        Ice,
        r##"{"action":{"name":"runMenu","menus":[{"id":"main","options":{}}, 3]}}"##,
        &[
            "action.menus[0].options: must be an array",
            "action.menus[1]: must be an object",
        ],
    ),
    (
        Ice,
        r##"{"action":{"name":"hangup"},"instructions":{"name":"say"}}"##,
        &["instructions: must be an array"],
    ),
    (
        Ice,
        r##"{"action":{"name":"hangup"},"instructions":["say"]}"##,
        &["instructions[0]: must be an object"],
    ),
    (
        Ice,
        r##"{"action":{"name":"hangup"},"instructions":[{"name":"speak","text":"hi"}]}"##,
        &["instructions[0].name: unknown instruction \"speak\""],
    ),
    (
        Ace,
        r##"{"action":{"name":"continue"},"instructions":[{"name":"sendDtmf","value":"1"}]}"##,
        &["instructions[0].name: sendDtmf is not allowed in an answer to ACE"],
    ),
    (
        Ice,
        r##"{"action":{"name":"hangup"},"instructions":[{"name":"stopRecording"}]}"##,
        &["instructions[0].name: stopRecording is not allowed in an answer to ICE"],
    ),
    (
        Pie,
        r##"{"action":{"name":"hangup"},"instructions":[{"name":"answer"}]}"##,
        &["instructions[0].name: answer is not allowed in an answer to PIE"],
    ),
    (
        Ice,
        r##"{"action":{"name":"hangup"},"instructions":[{"name":"say"}]}"##,
        &["instructions[0].text: missing: say requires it"],
    ),
    (
        Ice,
        r##"{"action":{"name":"hangup"},"instructions":[{"name":"playFiles","ids":"welcome"}]}"##,
        &["instructions[0].ids: must be an array of strings"],
    ),
    (
        Ice,
        r##"{"action":{"name":"hangup"},"instructions":[{"name":"playFiles","ids":[]}]}"##,
        &["instructions[0].ids: empty"],
    ),
    (
        Pie,
        r##"{"action":{"name":"hangup"},"instructions":[{"name":"sendDtmf","value":"1x"}]}"##,
        &["instructions[0].value: only 0-9, # and w"],
    ),
    (
        Ace,
        r##"{"action":{"name":"hangup"},"instructions":[{"name":"setCookie","key":"k"}]}"##,
        &["instructions[0].value: missing: setCookie requires it"],
    ),
    (
        Ice,
        r##"{"action":{"name":"hangup"},"instructions":[{"name":"startRecording","options":{"destinationUrl":"s3://b/"}}]}"##,
        &["instructions[0].options.credentials: missing"],
    ),
    // Several problems at once: all are reported, in document order.
    (
        Ace,
        r##"{"action":{"name":"connectPstn"},"instructions":[{"name":"say"},{"name":"answer"}],"x":1}"##,
        &[
            "x: unknown member",
            "action.name: connectPstn is not allowed in an answer to ACE",
            "instructions[0].text: missing",
            "instructions[1].name: answer is not allowed in an answer to ACE",
        ],
    ),
];

const GOOD: &[(VoiceEvent, &str)] = &[
    (
        Ice,
        r##"{"action":{"name":"connectPstn","number":"+46700000002","cli":"private","maxDuration":3600,"suppressCallbacks":false,"amd":{"enabled":true}}}"##,
    ),
    (
        Ice,
        r##"{"action":{"name":"ConnectPstn","number":"+46700000002"}}"##,
    ),
    (
        Ice,
        r##"{"instructions":[{"name":"answer"},{"name":"say","text":"Hello","locale":"en-US"}],"action":{"name":"park","holdPrompt":"#tts[Please hold]","maxDuration":60}}"##,
    ),
    (
        Ice,
        r##"{"action":{"name":"connectSip","destination":{"type":"Sip","endpoint":"alice@sip.example.com"},"transport":"tls"}}"##,
    ),
    (
        Ice,
        r##"{"action":{"name":"connectMxp","destination":{"type":"username","endpoint":"alice"}}}"##,
    ),
    (
        Ice,
        r##"{"action":{"name":"runMenu","locale":"en-US","menus":[{"id":"main","mainPrompt":"#tts[Press 1]","options":[{"dtmf":"1","action":"return(sales)"},{"dtmf":"2","action":"menu(more)"}]},{"id":"more","options":[{"dtmf":"9","action":"return"}]}]}}"##,
    ),
    (
        Ace,
        r##"{"action":{"name":"continue"},"instructions":[{"name":"playFiles","ids":["#tts[Connected]"],"locale":"en-US"},{"name":"startRecording","options":{"destinationUrl":"s3://b/","credentials":"k:s:r"}}]}"##,
    ),
    (
        Ace,
        r##"{"action":{"name":"connectConf","conferenceId":"myConference","moh":"music1"}}"##,
    ),
    (
        Pie,
        r##"{"action":{"name":"connectPstn","number":"+46700000002"},"instructions":[{"name":"sendDtmf","value":"ww1234#"},{"name":"stopRecording"},{"name":"setCookie","key":"k","value":"v"}]}"##,
    ),
    (
        Pie,
        r##"{"action":{"name":"continue"},"instructions":null}"##,
    ),
];

#[test]
fn every_bad_answer_is_explained() {
    for (event, answer, expected) in BAD {
        let problems: Vec<String> = SvamlChecker::new(*event)
            .check(answer.as_bytes())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems.len(),
            expected.len(),
            "{event} {answer}: got {problems:#?}"
        );
        for (problem, want) in problems.iter().zip(expected.iter()) {
            assert!(
                problem.starts_with(want),
                "{event} {answer}:\n  got  {problem}\n  want {want}…"
            );
        }
    }
}

#[test]
fn good_answers_pass() {
    for (event, answer) in GOOD {
        let problems = SvamlChecker::new(*event).check(answer.as_bytes());
        assert!(problems.is_empty(), "{event} {answer}: {problems:#?}");
    }
}

#[test]
fn answers_to_dice_and_notify_are_not_checked() {
    for event in [Dice, Notify] {
        assert!(SvamlChecker::new(event).check(b"not even json").is_empty());
    }
}

#[test]
fn the_request_decides_whether_connect_pstn_needs_a_number() {
    let answer = br##"{"action":{"name":"connectPstn"}}"##;
    let to_your_number = br##"{"event":"ice","to":{"type":"did","endpoint":"+46700000000"}}"##;
    let app_to_phone = br##"{"event":"ice","to":{"type":"number","endpoint":"+46700000002"}}"##;
    assert_eq!(
        SvamlChecker::for_request(to_your_number)
            .unwrap()
            .check(answer)
            .len(),
        1
    );
    assert!(
        SvamlChecker::for_request(app_to_phone)
            .unwrap()
            .check(answer)
            .is_empty()
    );
    let pie = SvamlChecker::for_request(br##"{"event":"pie"}"##).unwrap();
    assert_eq!(pie.event(), Pie);
    for not_voice in [&b"{}"[..], b"[]", b"{\"event\":\"sms\"}", b"nope"] {
        assert!(SvamlChecker::for_request(not_voice).is_none());
    }
}
