# Roster console: English
skip-to-content = Skip to content
nav-main = Main
nav-customers = Customers
nav-language = Language
nav-customer = Customer menu
sign-out = Sign out
back = Back
cancel = Cancel
save = Save
apply = Apply
search = Search
actions = Actions
buy = Buy
print = Print
copy = Copy

login-title = Sign in to Roster
login-email = Email
login-password = Password
login-submit = Sign in
login-invalid = The email or password is incorrect.
login-rate-limited = Too many failed attempts. Wait a few minutes and try again.

error-csrf-title = The form expired
error-csrf = This form expired or did not come from Roster. Reload the page and try again.
error-not-found-title = Not found
error-forbidden-title = Not allowed
error-internal-title = Something went wrong
error-request-title = This could not be done
error-query = A value in the address is not valid: { $name }. Go back and choose again.
error-form-too-large = The form is too large to be sent.
error-request-id = Request ID:

customers-title = Customers
customers-count = { $count ->
    [one] { $countText } customer
   *[other] { $countText } customers
}
col-company = Company
col-domains = Domains
col-country = Country
col-users = Users
users-count = { $count ->
    [one] { $countText } user
   *[other] { $countText } users
}
products-count = { $count ->
    [one] { $countText } product
   *[other] { $countText } products
}
menu-users = Users and licenses
menu-subscriptions = Subscriptions
menu-activity = Activity log

pager-label = Pages
pager-first = First
pager-prev = Previous
pager-next = Next
pager-last = Last
pager-page-of = Page { $pageText } of { $pagesText }
page-size = Users per page

users-title = Users and licenses
users-tabs = User lists
tab-users = Users
tab-deleted = Deleted users ({ $countText })
filter-by = Filter users by
filter-all = All users
filter-licensed = Licensed users
filter-unlicensed = Unlicensed users
filter-has-product = Has product
filter-admin-role = Admin role
filter-any-admin = Any admin role
filter-blocked = Sign-in blocked
action-add-user = Add user
action-import = Import users
action-manage-licenses = Manage licenses
action-reset-password = Reset password
action-delete = Delete user account
action-block = Block sign-in
action-unblock = Unblock sign-in
action-restore = Restore
action-export-csv = Export CSV
action-export-xlsx = Export Excel
selected-users = Selected users ({ $countText })
show-all-users = Show all users
select-page = Select all on this page
clear-selection = Clear selection
select-user = Select { $name }
col-display-name = Display name
col-username = Username
col-licenses = Licenses
col-roles = Roles
col-location = Usage location
col-sign-in = Sign-in
col-created = Created
col-deleted-on = Deleted on
col-days-left = Days left to restore
unlicensed = Unlicensed
sign-in-blocked = Blocked
sign-in-allowed = Allowed
no-users = No users match.

role-global-admin = Global admin
role-billing-admin = Billing admin
role-user-admin = User admin
role-helpdesk-admin = Helpdesk (password) admin
role-service-admin = Service admin
role-license-admin = License admin

notice-blocked = Sign-in blocked for { $countText } users.
notice-unblocked = Sign-in unblocked for { $countText } users.
notice-deleted = { $count ->
    [one] { $countText } user deleted. It can be restored from this tab.
   *[other] { $countText } users deleted. They can be restored from this tab.
}
notice-nothing-to-restore = Select deleted users to restore.
notice-quantity-changed = The quantity was changed.
notice-subscription-bought = The subscription was bought.
notice-email-sent = The passwords were emailed to { $to }.

add-title = Add user
add-user-n = User { $nText }
field-first-name = First name
field-last-name = Last name
field-state = State
field-password-expires = Temporary password expires
field-display-name = Display name
field-username = Username
field-domain = Domain
field-usage-location = Usage location
field-roles = Roles
field-licenses = Licenses
available-count = ({ $countText } available)
no-subscriptions = This customer has no subscriptions yet.
add-another = Add another user
add-remove-user = Remove this user

credentials-title = Users created: temporary passwords
credentials-once = Save these passwords now. Once you leave this page they cannot be shown again. Each user must change the password at the first sign-in.
col-temporary-password = Temporary password
credentials-failed = Not created
download-csv = Download CSV
email-to = Email to
email-send = Send email
email-title = Email
email-not-configured = Email is not set up on this server (ROSTER_SMTP_URL).
email-failed = The email could not be sent: { $reason }
email-subject = Temporary passwords for new users
email-intro = Here are the usernames and temporary passwords. Each user must change the password at the first sign-in.
email-outro = The same list is attached as a CSV file.
back-to-users = Back to Users and licenses

reset-title = Reset password
reset-confirm = Make a new temporary password for { $name }? The old password stops working.
reset-submit = Reset password
reset-done = The new temporary password of { $name }:
reset-expires = It expires on { $date }.
select-exactly-one = Select exactly one user.
select-users-first = Select users in the list first.

delete-title = Delete users
delete-explain = These users will be deleted. Their licenses are freed. You can restore them for { $daysText } days.
delete-submit = { $count ->
    [one] Delete { $countText } user
   *[other] Delete { $countText } users
}
restore-title = Restore users: results
col-user = User
col-result = Result
col-licenses-back = Licenses restored
col-licenses-not-back = Licenses not restored
restored = Restored
not-restored = Not restored

licenses-title = Manage licenses
col-product = Product
col-total = Total
col-assigned = Assigned
col-available = Available
col-selected-users = Selected users holding it
op-label = Change for { $product }
op-keep = No change
op-assign = Assign to all selected users
op-remove = Remove from all selected users
view-service-plans = View service plans
plans-explain = Ticked plans are turned off for the users this assigns.
plan-off = Turn off { $plan }
licenses-heading = Assign and revoke licenses
chips-more = +{ $countText } more
plans-explain-holders = Each plan shows its state among the selected users who hold the product: on, off or mixed. Only the plans you change are changed; the others stay as each user has them.
plan-state-all = on
plan-state-some = mixed
plan-state-none = off
plan-label = Change for { $plan }
plan-keep = Leave as it is
plan-turn-on = Turn on
plan-turn-off = Turn off
buy-more = Buy more
held-none = None
held-some = Assigned ({ $countText } of { $totalText })
mode-atomic = All or nothing: change no one unless every user succeeds
preview = Preview
licenses-nothing-chosen = Choose a product to assign or remove first.
preview-title = Preview of license changes
preview-nothing-changed = This is a preview. Nothing has changed yet.
updated-title = Licenses updated
atomic-not-applied = Some users would fail, so nothing was changed.
summary-succeeded = { $countText } succeeded
summary-failed = { $countText } failed
summary-unchanged = { $countText } unchanged
col-added = Added
col-removed = Removed
col-problems = Problems
set-usage-location = Set the usage location on the user's page
status-succeeded = Succeeded
status-failed = Failed
status-unchanged = Unchanged
status-not-applied = Not applied
summary-not-applied = { $countText } would have succeeded, not applied
not-applied-atomic = This user would have succeeded, but all or nothing was asked and another user failed.
not-applied-because = Not applied, because this user's change is all or nothing: { $products }
already-as-asked = Already as asked: { $products }
plans-changed-for = Service plans changed: { $products }
why-requires = { $product } requires { $other }, which the user would not have.
why-required-by = { $dependent } requires { $product }, and the user keeps { $dependent }.
why-excludes = { $product } cannot be held together with { $other }.
why-sold-only-in = { $product } is sold only in { $where }; the user's usage location is { $location }.
why-sold-except-in = { $product } is not sold in { $where }; the user's usage location is { $location }.
why-not-sold = { $product } is not sold in { $location }, the user's usage location.
why-no-seats = No { $product } licenses are left. Buy more first.

subscriptions-title = Subscriptions
col-quantity = Quantity
col-utilization = Utilization
col-actions = Actions
utilization = { $percentText }% of seats assigned
set-quantity = Set quantity
buy-subscription = Buy a new subscription

activity-title = Activity log
export-csv = Export CSV
col-when = When
col-action = Action
col-agent = Agent
col-change = Change
show-change = Show before and after
before = Before
after = After

import-title = Import users
import-explain = Upload a CSV file saved by Excel or LibreOffice (any encoding, comma, semicolon or tab), or an Excel workbook. Every row is checked before anything is created.
import-names = Roles and licenses may be written as this console names them, in any of its languages (Global admin, Mail Plan 1), or by id (global-admin, MAIL_P1); separate several with a semicolon.
import-template = Download the template:
import-file = File
import-location = Usage location for rows without one
import-check-only = Check only, do not import
import-submit = Upload
import-no-file = Choose a file to upload.
import-has-problems = Some rows have problems. Nothing was imported. Fix the file and upload it again.
import-checked = { $totalText } rows checked; { $validText } can be imported.
import-problems = { $count ->
    [one] { $countText } problem
   *[other] { $countText } problems
}
col-row = Row
col-column = Column
col-problem = Problem
col-detail = Detail
import-progress-title = Importing users
import-status-queued = Waiting to start
import-status-running = Importing
import-status-succeeded = Finished
import-status-failed = Stopped
import-processed = { $processedText } of { $totalText } rows done
import-created = { $countText } created
import-failed = { $countText } failed
import-credentials-once = The temporary passwords can be shown once, for one hour after the import.
import-show-passwords = Show temporary passwords
import-credentials-gone = The temporary passwords were already shown, or their hour has passed.

code-unknown = An unexpected problem occurred.
code-validation_failed = A value is not valid
code-not_found = This was not found, or you cannot see it.
code-forbidden = Your role does not allow this.
code-user_not_found = The user was not found.
code-invalid_username = The username is not valid
code-user_deleted = The user is deleted.
code-user_not_deleted = The user is not deleted.
code-username_taken = The username is already taken
code-domain_not_owned = The domain is not one of the customer's
code-domain_taken = The domain already belongs to another customer
code-email_taken = The email is already used
code-restore_window_expired = The restore period has ended.
code-product_not_owned = The customer has no subscription for this product
code-insufficient_licenses = Not enough licenses available
code-dependency_missing = A product it requires is missing
code-mutually_exclusive = It cannot be held together with another product the user has
code-not_available_in_usage_location = It is not available in the user's usage location
code-usage_location_required = The user needs a usage location first
code-unknown_service_plan = The service plan is not part of this product
code-subscription_exists = The customer already has this subscription
code-quantity_below_assigned = The quantity cannot be lower than the licenses assigned
code-precondition_failed = Someone changed this after you opened the page, so nothing was saved. The page now shows it as it is; make your change again if you still want it.
code-payload_too_large = The file is too large
code-unsupported_media_type = This kind of file is not supported
code-internal_error = Something went wrong. The problem has been logged.
code-try_again = The change could not be made just now, and nothing was changed. Try again.
code-database_unavailable = The database cannot be reached just now. Try again in a moment.
code-storage_full = The database's storage is full, so nothing was saved. Pages can still be viewed.
code-required = A value is required
code-too_long = The value is too long
code-duplicate_username = The username appears twice in the file
code-unknown_role = The role is not known
code-unknown_product = The product is not known
code-invalid_country = The country code is not valid
code-invalid_value = The value is not valid
credentials-kept = Save these passwords now. This page shows them for one hour, to you only; after that they cannot be shown again. Each user must change the password at the first sign-in.
credentials-gone = The temporary passwords can no longer be shown: their hour has passed.
reset-confirm-many = { $count ->
    [one] Make a new temporary password for this user? The old password stops working.
   *[other] Make new temporary passwords for these { $countText } users? Their old passwords stop working.
}
reset-submit-many = { $count ->
    [one] Reset password
   *[other] Reset { $countText } passwords
}
reset-done-title = Passwords reset: temporary passwords
reset-failed = Not reset
error-not-found = This page or item does not exist, or it is not yours to see.
error-bad-request = The address or the form holds a value Roster cannot read. Go back and try again.
error-too-large = The form is too large.
error-internal = Something went wrong on the server. Try again in a moment.
user-details = Details
user-sign-in = Sign-in
user-deleted = Deleted user
user-days-left = { $days ->
    [one] { $daysText } day left to restore this user.
   *[other] { $daysText } days left to restore this user.
}
col-service-plans = Service plans
plan-state-on = on
plan-state-off = off
activity-none = No activity yet.
notice-user-saved = The user was saved.
notice-user-deleted = The user was deleted. It can be restored from this page.
audit-customer-created = Customer created
audit-subscription-created = Subscription bought
audit-subscription-quantity-changed = Quantity changed
audit-subscription-seats-added = Licenses bought
audit-user-created = User created
audit-user-updated = User changed
audit-user-deleted = User deleted
audit-user-restored = User restored
audit-user-purged = User removed for good
audit-user-password-reset = Password reset
audit-user-licenses-updated = Licenses changed
more-users = and { $countText } more
activity-any = Any
activity-from = From
activity-to = To
activity-clear = Clear filters
user-all-activity = All of this user's activity
error-field-detail = { $field }: { $detail }
invalid-empty = must not be empty
invalid-too-long = { $max ->
    [one] must be at most { $maxText } character
   *[other] must be at most { $maxText } characters
}
invalid-length = must be 1 to { $maxText } characters
invalid-between = must be between { $minText } and { $maxText }
invalid-username-character = contains { $value }; use letters A-Z, digits and ' . - _ ! # ^ ~
invalid-username-dots = must not start or end with a dot or contain two dots in a row
invalid-domain-labels = must have at least two labels, like contoso.example
invalid-domain-label-length = each part between dots must be 1 to 63 characters
invalid-domain-characters = may contain only letters, digits, hyphens and dots
invalid-domain-hyphen = a part between dots must not start or end with a hyphen
invalid-domain-numeric = the last part must not be only digits
invalid-upn = must have the form name@domain
invalid-control = must not contain control characters such as line breaks
invalid-email = must be an email address
invalid-country = { $value } is not a two-letter country code (ISO 3166-1)
invalid-role = { $value } is not a known role
invalid-agent-role = { $value } is not a known agent role
invalid-product-characters = may contain only letters, digits, '_', '-' and '.'
invalid-domain-differs = differs from the domain in the username
invalid-domain-required = is required unless the username is name@domain
invalid-listed-twice = { $value } is listed twice
import-no-seats = no { $product } licenses are left for this row; buy more
import-no-domain = the customer has no domain
import-domain-invalid = the domain { $value } { $detail }
import-domain-not-owned = { $value } is not one of the customer's domains
import-duplicate-username = { $value } is also on row { $rowText }
import-username-taken = the username { $value } is already taken
import-unknown-product = { $value } is not a product of the catalog
import-product-not-owned = the customer has no subscription for { $product }
import-license-product = { $product }
invalid-page-too-many = a page holds at most { $maxText } users
invalid-selection-too-many = select at most { $maxText } users
