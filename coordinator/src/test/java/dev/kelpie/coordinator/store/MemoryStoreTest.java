package dev.kelpie.coordinator.store;

/** The store contract, held against the memory store. */
class MemoryStoreTest extends StoreContract {

  @Override
  Store newStore() {
    Store store = new MemoryStore();
    store.open(1).await();
    return store;
  }

  @Override
  void closeStore(Store store) {
    store.close().await();
  }
}
