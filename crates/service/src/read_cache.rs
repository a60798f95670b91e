//! Read models that many requests share, kept for a moment while the event log has not
//! grown: a busy agency's worklist (thousands of open dossiers, read and classified once
//! instead of once per page view, and each page's rows decoded once).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

use crate::office::WorklistRow;

/// How long a cached worklist is current while the log has not grown. It bounds how old
/// its classification is (time alone makes dossiers overdue) and, on PostgreSQL, how late a
/// change shows whose event id was drawn before a higher one that committed first.
pub(crate) const WORKLIST_TTL: TimeDelta = TimeDelta::seconds(2);

/// How long past [`WORKLIST_TTL`] a list may still be served, unchanged log permitting,
/// while another request reads it anew: readers never queue behind a refresh.
const WORKLIST_STALE: TimeDelta = TimeDelta::seconds(10);

/// Cached lists or values beyond this many are dropped together (filters are many,
/// agencies few).
const MAX_WORKLISTS: usize = 512;

/// Pages kept per list.
const MAX_PAGES: usize = 32;

/// A worklist's order and counts, as classified at one instant, and the pages built so far.
#[derive(Debug)]
pub(crate) struct WorklistFacts {
    /// Codes of every dossier the list selects, nearest deadline first.
    pub codes: Vec<String>,
    /// Overdue dossiers among them.
    pub overdue: u64,
    /// Dossiers due within one working day among them.
    pub due_soon: u64,
    /// When they were classified.
    pub classified_at: DateTime<Utc>,
    /// The last event id ([`motcua_storage::Store::last_event_id`]) and this process's
    /// [generation](WorklistCache::generation) when they were read.
    pub revision: (i64, u64),
    /// Rows of the pages read so far, by page number, classified at `classified_at`.
    pages: Mutex<HashMap<u32, Arc<Vec<WorklistRow>>>>,
}

impl WorklistFacts {
    /// Facts without pages yet.
    pub fn new(
        codes: Vec<String>,
        (overdue, due_soon): (u64, u64),
        classified_at: DateTime<Utc>,
        revision: (i64, u64),
    ) -> Self {
        WorklistFacts {
            codes,
            overdue,
            due_soon,
            classified_at,
            revision,
            pages: Mutex::default(),
        }
    }

    /// The rows of page `page`, if built.
    pub fn page(&self, page: u32) -> Option<Arc<Vec<WorklistRow>>> {
        let pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        pages.get(&page).cloned()
    }

    /// Keeps the rows of page `page` (the first pages are what is viewed; any page number
    /// may be asked, so the kept ones are bounded).
    pub fn keep_page(&self, page: u32, rows: Arc<Vec<WorklistRow>>) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(page, rows);
    }
}

/// What the cache holds for a list, given the log's revision and the instant.
#[derive(Debug)]
pub(crate) enum Cached {
    /// Current: use it.
    Fresh(Arc<WorklistFacts>),
    /// Past its time but the log has not grown: use it if another request is reading the
    /// list anew, else read it.
    Stale(Arc<WorklistFacts>),
    /// Absent, or the log has grown: read it.
    Missing,
}

/// Worklists by their scoped query, each with a lock held while it is read from the store.
#[derive(Debug, Default)]
pub(crate) struct WorklistCache {
    entries: Mutex<HashMap<String, Arc<WorklistFacts>>>,
    reading: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Dossier changes committed through these services: a list read before one is stale
    /// even where the last event id did not move.
    generation: AtomicU64,
    /// The last event id and when it was read, for [`WorklistCache::recent_last_event_id`].
    last_event: Mutex<Option<(Instant, i64)>>,
}

/// How long a read of the last event id answers for: changes committed through these
/// services move the [generation](WorklistCache::generation) at once, so this bounds only
/// how late a list shows another process's change.
const LAST_EVENT_POLL: Duration = Duration::from_millis(100);

impl WorklistCache {
    /// Counts a dossier change committed through these services.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// This process's dossier changes so far.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The last event id read less than [`LAST_EVENT_POLL`] ago, if any.
    pub fn recent_last_event_id(&self) -> Option<i64> {
        let last = self.last_event.lock().unwrap_or_else(|p| p.into_inner());
        last.filter(|(read_at, _)| read_at.elapsed() < LAST_EVENT_POLL)
            .map(|(_, id)| id)
    }

    /// Keeps the last event id just read.
    pub fn keep_last_event_id(&self, id: i64) {
        let mut last = self.last_event.lock().unwrap_or_else(|p| p.into_inner());
        *last = Some((Instant::now(), id));
    }

    /// The list for `key` at log `revision` and instant `now`. A list classified a little
    /// after `now` (by a concurrent request) is fresh; one from well after it (an injected
    /// clock went back) is missing.
    pub fn get(&self, key: &str, revision: (i64, u64), now: DateTime<Utc>) -> Cached {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let Some(facts) = entries.get(key).filter(|f| f.revision == revision) else {
            return Cached::Missing;
        };
        let age = now - facts.classified_at;
        if age <= -WORKLIST_TTL || age >= WORKLIST_TTL + WORKLIST_STALE {
            Cached::Missing
        } else if age < WORKLIST_TTL {
            Cached::Fresh(Arc::clone(facts))
        } else {
            Cached::Stale(Arc::clone(facts))
        }
    }

    /// The lock to hold while reading the list `key`.
    pub fn reading_lock(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.reading.lock().unwrap_or_else(|p| p.into_inner());
        if locks.len() >= MAX_WORKLISTS {
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        Arc::clone(locks.entry(key.to_owned()).or_default())
    }

    /// Keeps `facts` for `key`.
    pub fn put(&self, key: String, facts: Arc<WorklistFacts>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_WORKLISTS {
            entries.clear();
        }
        entries.insert(key, facts);
    }
}

/// How long a [`TrustedMap`] value is used before it is read again. Changes made through
/// these services drop the values at once; this bounds how late a change made by another
/// process (the CLI beside a running server) shows.
const TRUSTED_FOR: Duration = Duration::from_secs(2);

/// Values read from the store that change rarely (an agency's chain of units), each used
/// for [`TRUSTED_FOR`] after it was read.
#[derive(Debug)]
pub(crate) struct TrustedMap<V> {
    values: Mutex<HashMap<String, (Instant, V)>>,
    /// Bumped by every [`TrustedMap::clear`]: a value read before is not kept.
    generation: AtomicU64,
}

impl<V> Default for TrustedMap<V> {
    fn default() -> Self {
        TrustedMap {
            values: Mutex::default(),
            generation: AtomicU64::new(0),
        }
    }
}

impl<V: Clone> TrustedMap<V> {
    /// The value for `key`, if read less than [`TRUSTED_FOR`] ago.
    pub fn get(&self, key: &str) -> Option<V> {
        let values = self.values.lock().unwrap_or_else(|p| p.into_inner());
        values
            .get(key)
            .filter(|(read_at, _)| read_at.elapsed() < TRUSTED_FOR)
            .map(|(_, v)| v.clone())
    }

    /// The generation to pass to [`TrustedMap::put`]: take it before reading the value.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Keeps `value` for `key`, read now, unless the map was cleared since `generation`.
    pub fn put(&self, key: &str, value: V, generation: u64) {
        let mut values = self.values.lock().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if values.len() >= MAX_WORKLISTS {
            values.retain(|_, (read_at, _)| read_at.elapsed() < TRUSTED_FOR);
        }
        values.insert(key.to_owned(), (Instant::now(), value));
    }

    /// Forgets every value (and any being read: [`TrustedMap::put`] drops it).
    pub fn clear(&self) {
        let mut values = self.values.lock().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        values.clear();
    }
}
