//! Reads from the embedded store: the query model compiled to SQLite, and
//! the listings the API serves.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::{SqliteStore, StoreError};
use crate::query::model::{Count, Dimension, Filter, Group, Measure};

/// A stored event, as the API lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EventRow {
    #[serde(rename = "type")]
    pub kind: String,
    pub token: Option<String>,
    pub url: Option<String>,
    pub class: String,
    pub channel: Option<String>,
    pub rule: String,
    pub has_visitor: bool,
    pub ts_ms: i64,
}

fn event_column(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Class => "e.class",
        Dimension::Kind => "e.kind",
        Dimension::Channel => "e.channel",
        Dimension::ShareChannel => "s.channel",
        Dimension::ChannelOrigin => "s.channel_origin",
        Dimension::InferredChannel => "s.inferred_channel",
        Dimension::Medium => "e.medium",
        Dimension::Landing => "CASE WHEN e.home THEN 'home' ELSE 'deep' END",
        Dimension::Device => "COALESCE(a.device, 'unknown')",
        Dimension::Browser => "a.browser",
        Dimension::Os => "a.os",
        Dimension::InApp => "a.in_app",
        Dimension::Url => "e.url",
        Dimension::Rule => "e.rule",
    }
}

fn share_column(dimension: Dimension) -> Result<&'static str, StoreError> {
    match dimension {
        Dimension::Channel | Dimension::ShareChannel => Ok("s.channel"),
        Dimension::ChannelOrigin => Ok("s.channel_origin"),
        Dimension::InferredChannel => Ok("s.inferred_channel"),
        Dimension::Url => Ok("s.content_url"),
        other => Err(StoreError::Conflict(format!(
            "shares cannot be grouped by {other:?}"
        ))),
    }
}

/// Compiles a count to SQL and its parameters.
fn compile(count: &Count) -> Result<(String, Vec<Value>), StoreError> {
    let mut params = Vec::new();
    let mut conditions = Vec::new();
    let shares_only = count.measure == Measure::Shares;
    let columns = count
        .group_by
        .iter()
        .map(|&d| {
            if shares_only {
                share_column(d)
            } else {
                Ok(event_column(d))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let needs_share = !shares_only
        && (count.filters.contains(&Filter::Clicks)
            || count.group_by.iter().any(|d| {
                matches!(
                    d,
                    Dimension::ShareChannel | Dimension::ChannelOrigin | Dimension::InferredChannel
                )
            }));

    for filter in &count.filters {
        match (filter, shares_only) {
            (Filter::Site(site), true) => {
                conditions.push("s.site_id = ?".to_owned());
                params.push(Value::Text(site.clone()));
            }
            (Filter::Site(site), false) => {
                conditions.push("e.site_id = ?".to_owned());
                params.push(Value::Text(site.clone()));
            }
            (Filter::SinceMs(ms), true) => {
                conditions.push("s.created_ms >= ?".to_owned());
                params.push(Value::Integer(*ms));
            }
            (Filter::SinceMs(ms), false) => {
                conditions.push("e.ts_ms >= ?".to_owned());
                params.push(Value::Integer(*ms));
            }
            (Filter::Kinds(kinds), false) => {
                let marks = vec!["?"; kinds.len()].join(", ");
                conditions.push(format!("e.kind IN ({marks})"));
                params.extend(kinds.iter().map(|k| Value::Text(k.as_str().to_owned())));
            }
            (Filter::Class(class), false) => {
                conditions.push("e.class = ?".to_owned());
                params.push(Value::Text(class.as_str().to_owned()));
            }
            (Filter::Clicks, false) => conditions.push(
                "(e.is_click = 1 OR (e.kind = 'arrival' AND e.class = 'person' \
                 AND COALESCE(s.origin, '') <> 'link'))"
                    .to_owned(),
            ),
            (Filter::PageViews, false) => conditions.push("e.pageview = 1".to_owned()),
            (other, true) => {
                return Err(StoreError::Conflict(format!(
                    "shares cannot be filtered by {other:?}"
                )));
            }
        }
    }

    let measure = match count.measure {
        Measure::Events | Measure::Shares => "COUNT(*)",
        Measure::Visitors => "COUNT(DISTINCT e.visitor_id)",
    };
    let needs_agent = !shares_only
        && count.group_by.iter().any(|d| {
            matches!(
                d,
                Dimension::Device | Dimension::Browser | Dimension::Os | Dimension::InApp
            )
        });
    let mut from = String::from(if shares_only { "shares s" } else { "events e" });
    if needs_share {
        from.push_str(" LEFT JOIN shares s ON s.token = e.share_token");
    }
    if needs_agent {
        from.push_str(" LEFT JOIN user_agents a ON a.id = e.agent_id");
    }
    let mut sql = String::from("SELECT ");
    for column in &columns {
        sql.push_str(column);
        sql.push_str(", ");
    }
    sql.push_str(measure);
    sql.push_str(" FROM ");
    sql.push_str(&from);
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    if !columns.is_empty() {
        let positions: Vec<String> = (1..=columns.len()).map(|i| i.to_string()).collect();
        sql.push_str(" GROUP BY ");
        sql.push_str(&positions.join(", "));
        sql.push_str(&format!(" ORDER BY {} DESC, ", columns.len() + 1));
        sql.push_str(&positions.join(", "));
    }
    if let Some(limit) = count.limit {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    Ok((sql, params))
}

impl SqliteStore {
    /// Runs one count of the query model.
    ///
    /// # Errors
    ///
    /// Fails for a dimension or filter the measure does not have, or if
    /// SQLite fails.
    pub fn count(&self, count: &Count) -> Result<Vec<Group>, StoreError> {
        let (sql, params) = compile(count)?;
        let width = count.group_by.len();
        let mut stmt = self.conn.prepare(&sql)?;
        let groups = stmt
            .query_map(params_from_iter(params), |row| {
                let keys = (0..width)
                    .map(|i| row.get::<_, Option<String>>(i))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Group {
                    keys,
                    count: row.get(width)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(groups)
    }

    /// A single total.
    pub fn total(&self, count: &Count) -> Result<i64, StoreError> {
        Ok(self.count(count)?.first().map_or(0, |g| g.count))
    }

    /// The value of a counter, 0 if never set.
    pub fn counter(&self, name: &str) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE((SELECT value FROM counters WHERE name = ?1), 0)",
            [name],
            |r| r.get(0),
        )?)
    }

    /// The latest events of one site, newest first, optionally of one kind.
    pub fn recent_events(
        &self,
        site_id: &str,
        kind: Option<&str>,
        limit: usize,
    ) -> Result<Vec<EventRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, share_token, url, class, channel, rule, visitor_id IS NOT NULL, ts_ms
             FROM events WHERE site_id = ?1 AND (?2 IS NULL OR kind = ?2)
             ORDER BY id DESC LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(rusqlite::params![site_id, kind, limit as i64], |r| {
                Ok(EventRow {
                    kind: r.get(0)?,
                    token: r.get(1)?,
                    url: r.get(2)?,
                    class: r.get(3)?,
                    channel: r.get(4)?,
                    rule: r.get(5)?,
                    has_visitor: r.get(6)?,
                    ts_ms: r.get(7)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Titles of contents, for naming pages in reports.
    pub fn content_title(
        &self,
        site_id: Option<&str>,
        url: &str,
    ) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT title FROM contents WHERE url = ?2 AND (?1 IS NULL OR site_id = ?1) LIMIT 1",
                rusqlite::params![site_id, url],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }
}
