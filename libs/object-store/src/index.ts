export { decodeS3EventKey, isIgnoredLocalName } from './lib/keys';
export { LOCAL_REJECTED_DIR, LocalFolderStore } from './lib/local-folder-store';
export {
  InvalidKeyError,
  type ListOptions,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
  type ObjectStream,
} from './lib/object-store';
export { type InboxLocation, openObjectStore, parseInboxUrl } from './lib/open-object-store';
export {
  S3_REJECTED_FOLDER,
  S3ObjectStore,
  type S3ObjectStoreOptions,
  s3ClientFromEnv,
} from './lib/s3-object-store';
