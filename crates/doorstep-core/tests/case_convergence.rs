//! Property: however changes travel between laptops, every laptop that has
//! seen the same changes shows the same case, the same conflicts and the
//! same projection.

#![allow(clippy::unwrap_used)] // test helpers may unwrap, like #[test] functions (clippy.toml)

use automerge::ActorId;
use doorstep_core::case::{CaseDocument, Editor, FieldPath, NewCase, SectionKind};
use doorstep_core::dates::Timestamp;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Edit {
    SetField { field: &'static str, value: String },
    Note(String),
    Narrative { position: usize, text: String },
    AddTask(String),
    Status(&'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (
            prop::sample::select(vec!["summary", "assigned_to", "team", "due_date"]),
            "[a-z]{1,8}"
        )
            .prop_map(|(field, value)| {
                let value = if field == "due_date" {
                    format!("2026-12-{:02}", 1 + value.len())
                } else {
                    value
                };
                Edit::SetField { field, value }
            }),
        "[a-z ]{1,20}".prop_map(Edit::Note),
        (0usize..40, "[a-z]{1,5}").prop_map(|(position, text)| Edit::Narrative { position, text }),
        "[a-z]{1,10}".prop_map(Edit::AddTask),
        prop::sample::select(vec!["in_progress", "awaiting_review", "closed", "open"])
            .prop_map(Edit::Status),
    ]
}

fn apply(case: &mut CaseDocument, edit: &Edit, user: &str, at: i64, unique: &str) {
    let editor = Editor::new(user, Timestamp(at));
    // Refusals (an illegal status step) are part of the story; they must change nothing.
    let _ = match edit {
        Edit::SetField { field, value } => case.set_field(&FieldPath::case(field), value, &editor),
        Edit::Note(text) => case.add_note(&format!("N{unique}"), &format!("n{text}"), &editor),
        Edit::Narrative { position, text } => case.splice_narrative(*position, 0, text, &editor),
        Edit::AddTask(title) => case.add_item(
            SectionKind::Task,
            &format!("T{unique}"),
            &[("title", title)],
            &editor,
        ),
        Edit::Status(status) => case.set_field(&FieldPath::case("status"), status, &editor),
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn every_replica_converges_to_the_same_case_whatever_the_merge_order(
        replicas in 2usize..5,
        edits in prop::collection::vec((0usize..5, edit()), 1..24),
        merge_order in prop::collection::vec((0usize..5, 0usize..5), 0..20),
    ) {
        let mut origin = CaseDocument::create(
            NewCase { id: "CASE-P".into(), case_type: "housing".into(), summary: "start".into() },
            &Editor::new("origin", Timestamp(1)),
            ActorId::from(vec![0xAA; 16]),
        ).unwrap();
        let saved = origin.save();
        let mut laptops: Vec<CaseDocument> = (0..replicas)
            .map(|n| CaseDocument::load(&saved, ActorId::from(vec![n as u8 + 1; 16])).unwrap())
            .collect();

        // Edits land on laptops, with some merging in between, in a random order.
        let mut merges = merge_order.into_iter();
        for (step, (who, edit)) in edits.iter().enumerate() {
            let who = who % replicas;
            apply(&mut laptops[who], edit, &format!("user{who}"), 10 + step as i64, &step.to_string());
            if let Some((from, to)) = merges.next() {
                let (from, to) = (from % replicas, to % replicas);
                if from != to {
                    let mut source = CaseDocument::load(&laptops[from].save(), ActorId::from(vec![0xEE; 16])).unwrap();
                    laptops[to].merge(&mut source).unwrap();
                }
            }
        }

        // Finally everyone hears from everyone, in two different orders.
        let mut forward = CaseDocument::load(&saved, ActorId::from(vec![0xF0; 16])).unwrap();
        for laptop in laptops.iter_mut() { forward.merge(laptop).unwrap(); }
        let mut backward = CaseDocument::load(&saved, ActorId::from(vec![0xF1; 16])).unwrap();
        for laptop in laptops.iter_mut().rev() { backward.merge(laptop).unwrap(); }

        prop_assert_eq!(forward.view(), backward.view());
        prop_assert_eq!(forward.projection(), backward.projection());
        prop_assert_eq!(forward.conflicts(), backward.conflicts());
        prop_assert_eq!(forward.heads(), backward.heads());

        // Every note anyone wrote is still there.
        let notes_written = edits.iter().filter(|(_, e)| matches!(e, Edit::Note(_))).count();
        prop_assert_eq!(forward.view().notes.len(), notes_written);
    }
}
