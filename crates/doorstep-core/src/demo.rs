//! Invented, realistic casework for demos, benchmarks and tests: names,
//! addresses and notes that read like a council's, and valid identifiers.
//! Deterministic for a given seed, so a benchmark measures the same data each run.

use automerge::ActorId;

use crate::case::{CaseDocument, CaseError, Editor, NewCase, SectionKind};
use crate::dates::Timestamp;

const FIRST_NAMES: &[&str] = &[
    "Asha", "Ben", "Chidi", "Dorota", "Eilidh", "Farah", "Gareth", "Hannah", "Imran", "Joan",
    "Kwame", "Leanne", "Mohammed", "Niamh", "Olusegun", "Priya", "Rhys", "Siobhan", "Tomasz",
    "Uzma", "Vera", "Wendy", "Yusuf", "Zofia",
];
const LAST_NAMES: &[&str] = &[
    "Patel",
    "Jones",
    "Okafor",
    "Nowak",
    "MacLeod",
    "Hussain",
    "Evans",
    "Smith",
    "Khan",
    "Walker",
    "Mensah",
    "Taylor",
    "Ali",
    "Murphy",
    "Adeyemi",
    "Shah",
    "Williams",
    "O'Neill",
    "Kowalski",
    "Begum",
    "Brown",
    "Clarke",
    "Ahmed",
    "Wiśniewska",
];
const STREETS: &[&str] = &[
    "Mill Lane",
    "Station Road",
    "Church Street",
    "Victoria Road",
    "Park Avenue",
    "High Street",
    "Queen's Road",
    "Orchard Close",
    "Canal Side",
    "Foundry Walk",
];
const POSTCODES: &[&str] = &[
    "LE1 5WW", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "NG7 2RD",
    "LS2 7HY", "BS1 4ST",
];
const CASE_TYPES: &[(&str, &str)] = &[
    ("adult_social_care", "needs assessment after a fall at home"),
    ("adult_social_care", "carer's assessment for her husband"),
    ("housing", "damp and mould in the bedroom"),
    ("housing", "overcrowding, family of six in two bedrooms"),
    ("environmental_health", "noise complaint from a neighbour"),
    ("environmental_health", "pest control, rats in the garden"),
    ("welfare", "benefits check after losing work"),
    ("welfare", "council tax arrears and a payment plan"),
    ("childrens_services", "school attendance concerns"),
];
const NOTE_OPENINGS: &[&str] = &[
    "Visited at home.",
    "Phoned to arrange the next visit.",
    "Spoke with the GP surgery.",
    "Letter sent confirming the plan.",
    "Met at the community centre.",
    "Follow-up call with the family.",
];
const NOTE_DETAILS: &[&str] = &[
    "Kitchen tidy; fridge stocked.",
    "Grab rail needed by the back door.",
    "Damp patch on the bedroom wall has grown since the last visit.",
    "Daughter visits twice a week and helps with shopping.",
    "Medication reviewed; no concerns raised.",
    "Asked for information about the warm home discount.",
    "Dog kept in the garden during the visit.",
    "Agreed to a referral to occupational therapy.",
];
const RISKS: &[&str] = &[
    "Dog on premises",
    "Do not visit alone",
    "Steep steps to front door",
    "Smoker in the household",
];

/// SplitMix64: tiny, fast and good enough for invented data.
#[derive(Debug, Clone)]
pub struct DemoRandom(u64);

impl DemoRandom {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A valid NHS number: nine digits plus a check digit that is not 10.
pub fn demo_nhs_number(random: &mut DemoRandom) -> String {
    loop {
        let digits: Vec<u32> = (0..9).map(|_| random.below(10) as u32).collect();
        let sum: u32 = digits.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => continue,
            check => check,
        };
        return digits
            .iter()
            .chain([check].iter())
            .map(|d| d.to_string())
            .collect();
    }
}

/// How big each invented case is.
#[derive(Debug, Clone, Copy)]
pub struct DemoShape {
    pub people: usize,
    pub notes: usize,
    pub tasks: usize,
    pub visits: usize,
}

impl Default for DemoShape {
    /// About 30 fields and 20 notes: the "realistic case" of product.md's targets.
    fn default() -> Self {
        Self {
            people: 2,
            notes: 20,
            tasks: 2,
            visits: 1,
        }
    }
}

/// Invents case number `index` for `worker`, created at `start` plus a little.
pub fn demo_case(
    random: &mut DemoRandom,
    index: usize,
    worker: &str,
    team: &str,
    shape: DemoShape,
    start: Timestamp,
    actor: ActorId,
) -> Result<CaseDocument, CaseError> {
    let (case_type, problem) = CASE_TYPES[random.below(CASE_TYPES.len())];
    let surname = random.pick(LAST_NAMES);
    let first = random.pick(FIRST_NAMES);
    let at = |offset_minutes: i64| Timestamp(start.millis() + offset_minutes * 60_000);
    let editor = |offset: i64| Editor::new(worker, at(offset));
    let id = format!("DEMO{index:08}{:014X}", random.next_u64() >> 8);
    let mut case = CaseDocument::create(
        NewCase {
            id,
            case_type: case_type.to_owned(),
            summary: format!("{first} {surname}: {problem}"),
        },
        &editor(0),
        actor,
    )?;
    let set = |case: &mut CaseDocument, field: &str, value: &str, offset: i64| {
        case.set_field(&crate::case::FieldPath::case(field), value, &editor(offset))
    };
    set(&mut case, "assigned_to", worker, 1)?;
    set(&mut case, "team", team, 1)?;
    let due = 1 + random.below(28);
    set(
        &mut case,
        "due_date",
        &format!("2027-{:02}-{due:02}", 1 + random.below(12)),
        2,
    )?;
    if random.below(3) > 0 {
        set(&mut case, "status", "in_progress", 3)?;
    }
    case.set_narrative(
        &format!(
            "{first} {surname} lives at {} {}. The assessment found {problem}. {}",
            1 + random.below(200),
            random.pick(STREETS),
            random.pick(NOTE_DETAILS)
        ),
        &editor(4),
    )?;
    for person in 0..shape.people {
        let name = if person == 0 {
            format!("{first} {surname}")
        } else {
            format!("{} {surname}", random.pick(FIRST_NAMES))
        };
        let dob = format!(
            "{}-{:02}-{:02}",
            1930 + random.below(80),
            1 + random.below(12),
            1 + random.below(28)
        );
        let nhs = demo_nhs_number(random);
        let address = format!("{} {}", 1 + random.below(200), random.pick(STREETS));
        let uprn = format!("{:012}", random.next_u64() % 1_000_000_000_000);
        let phone = format!("07700 9{:05}", random.below(100_000));
        let relationship = if person == 0 {
            "Subject of the case"
        } else {
            "Family member"
        };
        case.add_item(
            SectionKind::Person,
            &format!("P{person}"),
            &[
                ("name", &name),
                ("date_of_birth", &dob),
                ("nhs_number", &nhs),
                ("address", &address),
                ("postcode", random.pick(POSTCODES)),
                ("uprn", &uprn),
                ("phone", &phone),
                ("relationship", relationship),
            ],
            &editor(5),
        )?;
    }
    if random.below(4) == 0 {
        case.add_item(
            SectionKind::Risk,
            "R0",
            &[("text", random.pick(RISKS)), ("active", "yes")],
            &editor(6),
        )?;
    }
    for visit in 0..shape.visits {
        let day = 1 + random.below(28);
        case.add_item(
            SectionKind::Visit,
            &format!("V{visit}"),
            &[("planned_at", &format!("2026-12-{day:02}T10:00:00Z"))],
            &editor(7),
        )?;
    }
    for task in 0..shape.tasks {
        case.add_item(
            SectionKind::Task,
            &format!("T{task}"),
            &[
                (
                    "title",
                    if task == 0 {
                        "Book follow-up visit"
                    } else {
                        "Write to GP"
                    },
                ),
                ("due_date", &format!("2027-01-{:02}", 1 + random.below(28))),
            ],
            &editor(8),
        )?;
    }
    for note in 0..shape.notes {
        let text = format!(
            "{} {}",
            random.pick(NOTE_OPENINGS),
            random.pick(NOTE_DETAILS)
        );
        case.add_note(&format!("N{note:04}"), &text, &editor(10 + note as i64))?;
    }
    Ok(case)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifiers::NhsNumber;

    #[test]
    fn demo_cases_are_valid_realistic_and_repeatable() {
        let make = || {
            let mut random = DemoRandom::new(7);
            demo_case(
                &mut random,
                1,
                "amira.khan",
                "Adults North",
                DemoShape::default(),
                Timestamp(1_795_000_000_000),
                ActorId::from(vec![1; 16]),
            )
            .unwrap()
        };
        let view = make().view();
        assert_eq!(view, make().view(), "the same seed invents the same case");
        assert_eq!(view.notes.len(), 20);
        assert_eq!(view.people.len(), 2);
        let fields: usize = view.fields.len()
            + [&view.people, &view.visits, &view.tasks, &view.risks]
                .iter()
                .flat_map(|items| items.iter())
                .map(|item| item.fields.len())
                .sum::<usize>();
        assert!((25..=40).contains(&fields), "about 30 fields, got {fields}");
        for person in &view.people {
            assert!(NhsNumber::parse(person.text("nhs_number").unwrap()).is_ok());
        }
    }
}
