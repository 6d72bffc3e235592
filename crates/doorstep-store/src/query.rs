//! My cases: filters, sort orders and full-text search over the projection.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use doorstep_core::case::CaseStatus;
use doorstep_core::dates::CalendarDate;

/// Which cases to list, in what order. Every field is optional; the default
/// lists every case, most recently changed first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub assigned_to: Option<String>,
    pub team: Option<String>,
    /// Cases due strictly before this date (cases with no due date are left out).
    pub due_before: Option<CalendarDate>,
    /// `Some(true)`: only cases with an active risk warning; `Some(false)`: only cases without.
    pub has_risk: Option<bool>,
    /// Only cases with unresolved same-field conflicts.
    pub with_conflicts_only: bool,
    /// Words typed into the search box. Matched against the summary, narrative,
    /// notes, people's names, case type and reference; every word must match,
    /// and the last may be unfinished ("smi" finds Smith).
    pub text: Option<String>,
    pub sort: CaseSort,
    pub limit: Option<usize>,
    pub offset: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    /// Most recently changed first.
    #[default]
    Updated,
    /// Soonest due first; cases with no due date last.
    DueDate,
    /// By council reference; cases not yet given one (never synced) last.
    Reference,
    /// Best search match first; the same as `Updated` without search words.
    Relevance,
}

impl CaseSort {
    pub fn parse(text: &str) -> Option<Self> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "updated" | "recent" => Some(Self::Updated),
            "due" | "due_date" => Some(Self::DueDate),
            "reference" | "ref" => Some(Self::Reference),
            "relevance" => Some(Self::Relevance),
            _ => None,
        }
    }
}

/// Turns what a person typed into an FTS5 query that means "all these words".
///
/// User text is never passed as FTS5 syntax: each word becomes a quoted string
/// (inner quotes doubled), so `AND`, `NEAR(`, `-`, `:` or `*` are just text.
/// Words without a letter or digit are dropped, as the tokenizer would drop
/// them anyway. The last word matches as a prefix. `None` when nothing
/// searchable is left, in which case no text filter applies.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        // SQLite reads the query as a C string: a NUL would end it mid-quote.
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(format!("{}*", words.join(" ")))
}

/// The SQL and its parameters for `filter`. Only fixed SQL is written here;
/// every value, including the FTS query, is a bound parameter.
pub(crate) fn list_sql(filter: &CaseFilter, columns: &str) -> (String, Vec<Value>) {
    let mut sql = format!("SELECT {columns} FROM case_projection p");
    let mut params: Vec<Value> = Vec::new();
    let search = filter.text.as_deref().and_then(fts_query);
    if let Some(query) = search.clone() {
        // bm25 ranking costs as much as the match itself on common words, so
        // it is computed only when results are ordered by it.
        sql.push_str(if filter.sort == CaseSort::Relevance {
            " JOIN (SELECT rowid AS id, rank FROM case_search WHERE case_search MATCH ?) s ON s.id = p.id"
        } else {
            " JOIN (SELECT rowid AS id FROM case_search WHERE case_search MATCH ?) s ON s.id = p.id"
        });
        params.push(Value::Text(query));
    }
    sql.push_str(" WHERE 1 = 1");
    if let Some(status) = filter.status {
        sql.push_str(" AND p.status = ?");
        params.push(Value::Text(status.as_str().to_owned()));
    }
    if let Some(assigned_to) = &filter.assigned_to {
        sql.push_str(" AND p.assigned_to = ?");
        params.push(Value::Text(assigned_to.clone()));
    }
    if let Some(team) = &filter.team {
        sql.push_str(" AND p.team = ?");
        params.push(Value::Text(team.clone()));
    }
    if let Some(due_before) = filter.due_before {
        sql.push_str(" AND p.due_date < ?");
        params.push(Value::Text(due_before.to_string()));
    }
    match filter.has_risk {
        Some(true) => sql.push_str(" AND p.risk_warnings <> '[]'"),
        Some(false) => sql.push_str(" AND p.risk_warnings = '[]'"),
        None => {}
    }
    if filter.with_conflicts_only {
        sql.push_str(" AND p.conflict_count > 0");
    }
    sql.push_str(match (filter.sort, search.is_some()) {
        (CaseSort::Relevance, true) => " ORDER BY s.rank, p.updated_at DESC, p.case_id",
        (CaseSort::Updated | CaseSort::Relevance, _) => " ORDER BY p.updated_at DESC, p.case_id",
        (CaseSort::DueDate, _) => {
            " ORDER BY p.due_date IS NULL, p.due_date, p.updated_at DESC, p.case_id"
        }
        (CaseSort::Reference, _) => " ORDER BY p.reference IS NULL, p.reference, p.case_id",
    });
    sql.push_str(" LIMIT ? OFFSET ?");
    params.push(Value::Integer(
        filter
            .limit
            .and_then(|limit| i64::try_from(limit).ok())
            .unwrap_or(-1),
    ));
    params.push(Value::Integer(
        i64::try_from(filter.offset).unwrap_or(i64::MAX),
    ));
    (sql, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_is_quoted_and_the_last_is_a_prefix() {
        assert_eq!(fts_query("smi").as_deref(), Some("\"smi\"*"));
        assert_eq!(
            fts_query("  leaking   ceil ").as_deref(),
            Some("\"leaking\" \"ceil\"*")
        );
        assert_eq!(
            fts_query("O\"Brien NEAR(x").as_deref(),
            Some("\"O\"\"Brien\" \"NEAR(x\"*")
        );
        assert_eq!(
            fts_query("summary:dog OR -cat").as_deref(),
            Some("\"summary:dog\" \"OR\" \"-cat\"*")
        );
    }

    #[test]
    fn control_characters_separate_words() {
        // Found by the hostile-input story: a NUL inside a quoted word ended
        // SQLite's copy of the query there, and FTS5 said "unterminated string".
        assert_eq!(
            fts_query("mould\0black").as_deref(),
            Some("\"mould\" \"black\"*")
        );
        assert_eq!(
            fts_query("a\u{7}b\u{1b}c").as_deref(),
            Some("\"a\" \"b\" \"c\"*")
        );
        assert_eq!(fts_query("\0"), None);
    }

    #[test]
    fn text_with_nothing_searchable_means_no_text_filter() {
        for nothing in [
            "",
            "   ",
            "\"",
            "*",
            "-",
            ":",
            "( ) \" * - ^ +",
            "\u{1F600}",
        ] {
            assert_eq!(fts_query(nothing), None, "{nothing:?}");
        }
    }

    #[test]
    fn sort_names_parse() {
        assert_eq!(CaseSort::parse("due-date"), Some(CaseSort::DueDate));
        assert_eq!(CaseSort::parse("Reference"), Some(CaseSort::Reference));
        assert_eq!(CaseSort::parse("updated"), Some(CaseSort::Updated));
        assert_eq!(CaseSort::parse("size"), None);
    }
}

/// One worker's share of the cases on this device, for the team lead's
/// caseload dashboard. `worker` is None for cases assigned to nobody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerCaseload {
    pub worker: Option<String>,
    /// Not closed.
    pub open_cases: usize,
    pub in_progress: usize,
    pub awaiting_review: usize,
    /// Visits checked in and not yet out.
    pub visits_under_way: usize,
    /// Of those, past their expected end: lone-worker alerts as this device knows them.
    pub overdue_visits: usize,
    /// Open cases past their due date.
    pub overdue_cases: usize,
    pub cases_with_conflicts: usize,
    /// Unfinished tasks on open cases.
    pub open_tasks: usize,
    /// Of those, past their due date.
    pub overdue_tasks: usize,
}
