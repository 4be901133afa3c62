//! Interning: every distinct value stored once and named by a `u32` id, as in SPIN's "collapse"
//! compression. A breadth-first level of millions of states then holds a few ids per state instead
//! of whole states: the states of a level differ in one or two parts each, and there are far fewer
//! distinct node states, messages and message lists than global states.
//!
//! Threads intern concurrently while a level is built, so which value gets which id depends on
//! timing. Nothing observable may depend on an id: the explorer only stores ids and turns them
//! back into the same values, so fingerprints, the order of steps and counterexamples stay the
//! same on every run and thread count.
//!
//! Values go into 64 shards (a mutex and a hash map each, picked by the value's hash), so that
//! threads rarely wait for each other; an id is read back without any lock, from append-only
//! buckets of write-once cells. (The simpler alternative, one `RwLock<Vec<T>>`, was rejected:
//! every decoding of a state would take the lock once per part, from every thread.)

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

const SHARDS: usize = 64;
/// Size of the first bucket; bucket `b` holds `FIRST << b` ids, so 27 buckets cover every `u32`.
const FIRST: usize = 64;
const BUCKETS: usize = 27;

/// A stored value and its hash.
type Cell<T> = OnceLock<(Arc<T>, u64)>;

/// A value with the hash it was interned under, as the shard maps store it.
struct Key<T> {
    hash: u64,
    value: Arc<T>,
}

/// What the maps are searched by: a stored key, or a borrowed value and its hash (so that looking
/// a value up neither clones it nor allocates).
trait View<T> {
    fn hash(&self) -> u64;
    fn value(&self) -> &T;
}

impl<T> View<T> for Key<T> {
    fn hash(&self) -> u64 {
        self.hash
    }
    fn value(&self) -> &T {
        &self.value
    }
}

impl<T> View<T> for (u64, &T) {
    fn hash(&self) -> u64 {
        self.0
    }
    fn value(&self) -> &T {
        self.1
    }
}

impl<T: Eq> PartialEq for dyn View<T> + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.hash() == other.hash() && self.value() == other.value()
    }
}
impl<T: Eq> Eq for dyn View<T> + '_ {}
impl<T> Hash for dyn View<T> + '_ {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(View::hash(self));
    }
}
impl<T: Eq> PartialEq for Key<T> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && *self.value == *other.value
    }
}
impl<T: Eq> Eq for Key<T> {}
impl<T> Hash for Key<T> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.hash);
    }
}
impl<'a, T: 'a> Borrow<dyn View<T> + 'a> for Key<T> {
    fn borrow(&self) -> &(dyn View<T> + 'a) {
        self
    }
}

/// The maps hash a key by the hash it carries, already well mixed (a fingerprint).
#[derive(Default)]
struct Carried(u64);

impl Hasher for Carried {
    fn write(&mut self, _: &[u8]) {
        unreachable!("keys hash as one u64")
    }
    fn write_u64(&mut self, h: u64) {
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type Shard<T> = Mutex<HashMap<Key<T>, u32, BuildHasherDefault<Carried>>>;

/// Distinct values of type `T`, each named by an id.
pub(crate) struct Interner<T> {
    shards: Vec<Shard<T>>,
    buckets: Vec<OnceLock<Box<[Cell<T>]>>>,
    next: AtomicU32,
    /// Bytes the values hold on the heap besides themselves (e.g. a list's elements).
    heap: AtomicUsize,
}

fn place(id: u32) -> (usize, usize) {
    let j = id as usize + FIRST;
    let b = (usize::BITS - 1 - j.leading_zeros()) as usize - FIRST.trailing_zeros() as usize;
    (b, j - (FIRST << b))
}

impl<T: Eq + Send + Sync> Interner<T> {
    pub(crate) fn new() -> Self {
        Interner {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            buckets: (0..BUCKETS).map(|_| OnceLock::new()).collect(),
            next: AtomicU32::new(0),
            heap: AtomicUsize::new(0),
        }
    }

    /// The id of `value` (whose well-mixed hash is `hash`), interning a copy made by `make` if it
    /// is new; `heap` is what that copy holds on the heap, for [`Interner::bytes`].
    fn id_or_insert(&self, value: &T, hash: u64, make: impl FnOnce() -> Arc<T>, heap: usize) -> u32 {
        // The shard comes from middle bits: the maps use the low bits for the slot and the top
        // bits as tags, and both should vary within a shard.
        let mut shard = self.shards[(hash >> 32) as usize % SHARDS].lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = shard.get(&(hash, value) as &dyn View<T>) {
            return id;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        assert!(id < u32::MAX, "more than 4 billion distinct parts of states");
        let value = make();
        let (b, at) = place(id);
        let bucket = self.buckets[b].get_or_init(|| (0..FIRST << b).map(|_| OnceLock::new()).collect());
        // Set before the id is published (in the map, under this lock, or returned to the caller).
        let _ = bucket[at].set((value.clone(), hash));
        shard.insert(Key { hash, value }, id);
        self.heap.fetch_add(heap, Ordering::Relaxed);
        id
    }

    /// The id of `value`, sharing its `Arc` if it is new.
    pub(crate) fn intern_arc(&self, value: &Arc<T>, hash: u64) -> u32 {
        self.id_or_insert(value, hash, || value.clone(), 0)
    }

    /// The id of `value`, storing a clone of it if it is new; `heap` as in [`Interner::bytes`].
    pub(crate) fn intern(&self, value: &T, hash: u64, heap: usize) -> u32
    where
        T: Clone,
    {
        self.id_or_insert(value, hash, || Arc::new(value.clone()), heap)
    }

    /// The value named `id` and its hash. `id` must come from this interner.
    #[inline]
    pub(crate) fn get(&self, id: u32) -> &(Arc<T>, u64) {
        let (b, at) = place(id);
        self.buckets[b].get().and_then(|bucket| bucket[at].get()).expect("an id this interner gave")
    }

    /// How many distinct values it holds.
    pub(crate) fn len(&self) -> usize {
        self.next.load(Ordering::Relaxed) as usize
    }

    /// Bytes of memory it holds, roughly: each value (with its `Arc` counts and the heap bytes
    /// it was interned with), the map slots and the id cells.
    pub(crate) fn bytes(&self) -> usize {
        let map_slot = std::mem::size_of::<(Key<T>, u32)>() + 1;
        let maps: usize = self.shards.iter().map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).capacity()).sum();
        let cells: usize = self.buckets.iter().filter_map(|b| b.get()).map(|b| b.len()).sum();
        self.len() * (std::mem::size_of::<T>() + 16)
            + self.heap.load(Ordering::Relaxed)
            + maps * map_slot
            + cells * std::mem::size_of::<Cell<T>>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::hash::fingerprint;
    use rayon::prelude::*;

    #[test]
    fn equal_values_get_one_id_and_ids_read_back_from_any_thread() {
        let interner = Interner::<u64>::new();
        // 4 threads intern the same 10,000 values, each value 8 times in all.
        let ids: Vec<Vec<u32>> = (0..8u64)
            .into_par_iter()
            .map(|_| (0..10_000u64).map(|v| interner.intern(&v, fingerprint(&v), 0)).collect())
            .collect();
        assert_eq!(interner.len(), 10_000);
        for run in &ids {
            assert_eq!(run, &ids[0], "one id per value");
        }
        for (v, &id) in ids[0].iter().enumerate() {
            assert_eq!(*interner.get(id).0, v as u64);
        }
    }

    #[test]
    fn values_with_the_same_hash_stay_apart() {
        let interner = Interner::<String>::new();
        let a = interner.intern(&"a".to_string(), 7, 1);
        let b = interner.intern(&"b".to_string(), 7, 1);
        assert_ne!(a, b);
        assert_eq!(interner.intern_arc(&Arc::new("a".to_string()), 7), a);
        assert_eq!((&*interner.get(b).0 as &str, interner.get(b).1), ("b", 7));
    }

    #[test]
    fn ids_cross_bucket_boundaries() {
        for id in [0, 63, 64, 191, 192, 1 << 20, u32::MAX - 1] {
            let (b, at) = place(id);
            assert!(b < BUCKETS && at < FIRST << b, "{id}: bucket {b}, slot {at}");
        }
        assert_eq!(place(63), (0, 63));
        assert_eq!(place(64), (1, 0));
    }
}
