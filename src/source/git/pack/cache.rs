//! The object cache behind [`Reader`](super::Reader): decoded objects kept within a byte budget,
//! so that the delta bases a history walk needs again and again are decoded once.

use super::Object;
use std::collections::HashMap;

/// Decoded objects by key: two generations, so that anything used since the last rotation
/// survives it. Approximates LRU with no per-access bookkeeping.
pub(super) struct Cache<K> {
    young: HashMap<K, Object>,
    old: HashMap<K, Object>,
    young_bytes: usize,
    budget: usize,
}

impl<K: std::hash::Hash + Eq + Clone> Cache<K> {
    pub(super) fn new(budget: usize) -> Self {
        Cache {
            young: HashMap::new(),
            old: HashMap::new(),
            young_bytes: 0,
            budget,
        }
    }

    pub(super) fn get<Q>(&mut self, key: &Q) -> Option<Object>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized + ToOwned<Owned = K>,
    {
        if let Some(v) = self.young.get(key) {
            return Some(v.clone());
        }
        let v = self.old.remove(key)?;
        self.insert(key.to_owned(), v.clone());
        Some(v)
    }

    pub(super) fn insert(&mut self, key: K, value: Object) {
        let size = value.1.len() + 64;
        if size > self.budget / 4 {
            return; // one huge object must not flush everything else
        }
        if self.young_bytes + size > self.budget / 2 {
            self.old = std::mem::take(&mut self.young);
            self.young_bytes = 0;
        }
        self.young_bytes += size;
        self.young.insert(key, value);
    }
}
