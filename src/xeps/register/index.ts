/**
 * XEP-0077 In-Band Registration: creating an account before any login (`registerAccount`, over a
 * stream of its own), and for a logged-in client changing the password and deleting the account.
 * No feature actor: nothing here reacts to inbound stanzas.
 */
export {
  NS_BOB,
  NS_CAPTCHA,
  NS_MEDIA,
  NS_OOB,
  NS_REGISTER,
  NS_REGISTER_FEATURE,
  buildPasswordChange,
  buildRegistrationRequest,
  buildRegistrationSubmit,
  buildRemove,
  missingFields,
  offersRegistration,
  parseRegistrationForm,
  type FormValues,
} from './register.codec.js';
export { RegistrationError, registrationErrorOf } from './register.error.js';
export { assertPasswordMayBeSent, changePassword, deleteAccount, type PasswordChannel } from './register.requests.js';
export { registerAccount, type NeedsForm, type RegisterAccountOptions, type RegisterResult, type Registered } from './register.stream.js';
export type * from './register.types.js';
