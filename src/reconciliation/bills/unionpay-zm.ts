// The ZM layout is UnionPay's protocol: it lives with the channel (the adapter and the sandbox
// read and write it too); the streaming parser here uses it.
export {
  ZM_FIELDS,
  ZM_OFFSETS,
  ZM_MIN_LINE_BYTES,
  zmField,
  formatZmLine,
  type ZmFieldName,
} from '../../channels/unionpay/protocol/zm-layout.js';
