# Console Roster: italiano
skip-to-content = Vai al contenuto
nav-main = Principale
nav-customers = Clienti
nav-language = Lingua
nav-customer = Menu del cliente
sign-out = Esci
back = Indietro
cancel = Annulla
save = Salva
apply = Applica
search = Cerca
actions = Azioni
buy = Acquista
print = Stampa
copy = Copia

login-title = Accedi a Roster
login-email = Indirizzo e-mail
login-password = Password
login-submit = Accedi
login-invalid = L'indirizzo e-mail o la password non sono corretti.
login-rate-limited = Troppi tentativi non riusciti. Attendi qualche minuto e riprova.

error-csrf-title = Il modulo è scaduto
error-csrf = Questo modulo è scaduto o non proviene da Roster. Ricarica la pagina e riprova.
error-not-found-title = Non trovato
error-forbidden-title = Operazione non consentita
error-internal-title = Si è verificato un problema
error-request-title = Impossibile completare l'operazione
error-query = Un valore nell’indirizzo non è valido: { $name }. Torna indietro e scegli di nuovo.
error-form-too-large = Il modulo è troppo grande per essere inviato.
error-request-id = ID della richiesta:

customers-title = Clienti
customers-count = { $count ->
    [one] { $countText } cliente
   *[other] { $countText } clienti
}
col-company = Società
col-domains = Domini
col-country = Paese
col-users = Utenti
users-count = { $count ->
    [one] { $countText } utente
   *[other] { $countText } utenti
}
products-count = { $count ->
    [one] { $countText } prodotto
   *[other] { $countText } prodotti
}
menu-users = Utenti e licenze
menu-subscriptions = Sottoscrizioni
menu-activity = Registro attività

pager-label = Pagine
pager-first = Prima
pager-prev = Precedente
pager-next = Successiva
pager-last = Ultima
pager-page-of = Pagina { $pageText } di { $pagesText }
page-size = Utenti per pagina

users-title = Utenti e licenze
users-tabs = Elenchi di utenti
tab-users = Utenti
tab-deleted = Utenti eliminati ({ $countText })
filter-by = Filtra utenti per
filter-all = Tutti gli utenti
filter-licensed = Utenti con licenza
filter-unlicensed = Utenti senza licenza
filter-has-product = Ha il prodotto
filter-admin-role = Ruolo di amministratore
filter-any-admin = Qualsiasi ruolo di amministratore
filter-blocked = Accesso bloccato
action-add-user = Aggiungi utente
action-import = Importa utenti
action-manage-licenses = Gestisci licenze
action-reset-password = Reimposta password
action-delete = Elimina account utente
action-block = Blocca accesso
action-unblock = Sblocca accesso
action-restore = Ripristina
action-export-csv = Esporta CSV
action-export-xlsx = Esporta in Excel
selected-users = Utenti selezionati ({ $countText })
show-all-users = Mostra tutti gli utenti
select-page = Seleziona tutta la pagina
clear-selection = Cancella selezione
select-user = Seleziona { $name }
col-display-name = Nome visualizzato
col-username = Nome utente
col-licenses = Licenze
col-roles = Ruoli
col-location = Posizione di utilizzo
col-sign-in = Accesso
col-created = Creato il
col-deleted-on = Eliminato il
col-days-left = Giorni rimasti per il ripristino
unlicensed = Senza licenza
sign-in-blocked = Bloccato
sign-in-allowed = Consentito
no-users = Nessun utente corrispondente.

role-global-admin = Amministratore globale
role-billing-admin = Amministratore fatturazione
role-user-admin = Amministratore utenti
role-helpdesk-admin = Amministratore supporto tecnico (password)
role-service-admin = Amministratore servizi
role-license-admin = Amministratore licenze

notice-blocked = Accesso bloccato per { $countText } utenti.
notice-unblocked = Accesso sbloccato per { $countText } utenti.
notice-deleted = { $count ->
    [one] { $countText } utente eliminato. Puoi ripristinarlo da questa scheda.
   *[other] { $countText } utenti eliminati. Puoi ripristinarli da questa scheda.
}
notice-nothing-to-restore = Seleziona gli utenti eliminati da ripristinare.
notice-quantity-changed = La quantità è stata modificata.
notice-subscription-bought = La sottoscrizione è stata acquistata.
notice-email-sent = Le password sono state inviate per e-mail a { $to }.

add-title = Aggiungi utente
add-user-n = Utente { $nText }
field-first-name = Nome
field-last-name = Cognome
field-state = Stato
field-password-expires = Scadenza della password temporanea
field-display-name = Nome visualizzato
field-username = Nome utente
field-domain = Dominio
field-usage-location = Posizione di utilizzo
field-roles = Ruoli
field-licenses = Licenze
available-count = ({ $countText } disponibili)
no-subscriptions = Questo cliente non ha ancora sottoscrizioni.
add-another = Aggiungi un altro utente
add-remove-user = Rimuovi questo utente

credentials-title = Utenti creati: password temporanee
credentials-once = Salva subito queste password. Dopo aver lasciato questa pagina non potranno più essere visualizzate. Ogni utente deve cambiare la password al primo accesso.
col-temporary-password = Password temporanea
credentials-failed = Non creati
download-csv = Scarica CSV
email-to = Invia per e-mail a
email-send = Invia e-mail
email-title = E-mail
email-not-configured = L'invio di e-mail non è configurato su questo server (ROSTER_SMTP_URL).
email-failed = Impossibile inviare l'e-mail: { $reason }
email-subject = Password temporanee dei nuovi utenti
email-intro = Ecco i nomi utente e le password temporanee. Ogni utente deve cambiare la password al primo accesso.
email-outro = Lo stesso elenco è allegato come file CSV.
back-to-users = Torna a Utenti e licenze

reset-title = Reimposta password
reset-confirm = Creare una nuova password temporanea per { $name }? La vecchia password smetterà di funzionare.
reset-submit = Reimposta password
reset-done = La nuova password temporanea di { $name }:
reset-expires = Scade il { $date }.
select-exactly-one = Seleziona un solo utente.
select-users-first = Seleziona prima gli utenti nell'elenco.

delete-title = Elimina utenti
delete-explain = Questi utenti verranno eliminati e le loro licenze liberate. Potrai ripristinarli per { $daysText } giorni.
delete-submit = { $count ->
    [one] Elimina { $countText } utente
   *[other] Elimina { $countText } utenti
}
restore-title = Ripristino utenti: risultati
col-user = Utente
col-result = Risultato
col-licenses-back = Licenze ripristinate
col-licenses-not-back = Licenze non ripristinate
restored = Ripristinato
not-restored = Non ripristinato

licenses-title = Gestisci licenze
col-product = Prodotto
col-total = Totale
col-assigned = Assegnate
col-available = Disponibili
col-selected-users = Utenti selezionati che lo hanno
op-label = Modifica per { $product }
op-keep = Nessuna modifica
op-assign = Assegna a tutti gli utenti selezionati
op-remove = Rimuovi da tutti gli utenti selezionati
view-service-plans = Visualizza piani di servizio
plans-explain = I piani selezionati vengono disattivati per gli utenti a cui viene assegnata la licenza.
plan-off = Disattiva { $plan }
licenses-heading = Assegna e revoca licenze
chips-more = +{ $countText } altri
plans-explain-holders = Ogni piano mostra il suo stato tra gli utenti selezionati che hanno il prodotto: attivo, disattivo o misto. Cambiano solo i piani che modifichi; gli altri restano come li ha ciascun utente.
plan-state-all = attivo
plan-state-some = misto
plan-state-none = disattivo
plan-label = Modifica per { $plan }
plan-keep = Lascia com'è
plan-turn-on = Attiva
plan-turn-off = Disattiva
buy-more = Acquista altro
held-none = Nessuno
held-some = Assegnate ({ $countText } di { $totalText })
mode-atomic = Tutto o niente: non modificare nessuno se anche un solo utente non riesce
preview = Anteprima
licenses-nothing-chosen = Scegli prima un prodotto da assegnare o rimuovere.
preview-title = Anteprima delle modifiche alle licenze
preview-nothing-changed = Questa è un'anteprima. Non è ancora stato modificato nulla.
updated-title = Licenze aggiornate
atomic-not-applied = Alcuni utenti non sarebbero riusciti, quindi non è stato modificato nulla.
summary-succeeded = { $countText } riuscite
summary-failed = { $countText } non riuscite
summary-unchanged = { $countText } invariate
col-added = Aggiunte
col-removed = Rimosse
col-problems = Problemi
set-usage-location = Imposta la posizione di utilizzo nella pagina dell'utente
status-succeeded = Riuscito
status-failed = Non riuscito
status-unchanged = Invariato
status-not-applied = Non applicato
summary-not-applied = { $countText } sarebbero riusciti, non applicati
not-applied-atomic = Per questo utente la modifica sarebbe riuscita, ma era richiesto tutto o niente e un altro utente non è riuscito.
not-applied-because = Non applicato, perché la modifica di questo utente è tutto o niente: { $products }
already-as-asked = Già come richiesto: { $products }
plans-changed-for = Piani di servizio modificati: { $products }
why-requires = { $product } richiede { $other }, che l'utente non avrebbe.
why-required-by = { $dependent } richiede { $product } e l'utente mantiene { $dependent }.
why-excludes = { $product } non può essere assegnato insieme a { $other }.
why-sold-only-in = { $product } è venduto solo in: { $where }; la posizione di utilizzo dell'utente è { $location }.
why-sold-except-in = { $product } non è venduto in: { $where }; la posizione di utilizzo dell'utente è { $location }.
why-not-sold = { $product } non è venduto in { $location }, la posizione di utilizzo dell'utente.
why-no-seats = Non sono rimaste licenze { $product }. Acquistane altre prima.

subscriptions-title = Sottoscrizioni
col-quantity = Quantità
col-utilization = Utilizzo
col-actions = Azioni
utilization = { $percentText }% delle licenze assegnate
set-quantity = Imposta quantità
buy-subscription = Acquista una nuova sottoscrizione

activity-title = Registro attività
export-csv = Esporta CSV
col-when = Quando
col-action = Azione
col-agent = Agente
col-change = Modifica
show-change = Mostra prima e dopo
before = Prima
after = Dopo

import-title = Importa utenti
import-explain = Carica un file CSV salvato da Excel o LibreOffice (qualsiasi codifica, separato da virgola, punto e virgola o tabulazione) oppure una cartella di lavoro Excel. Ogni riga viene controllata prima di creare qualsiasi utente.
import-names = Ruoli e licenze possono essere scritti come li chiama questa console, in una qualsiasi delle sue lingue (Amministratore globale, Mail Plan 1), o con l’identificatore (global-admin, MAIL_P1); separane più di uno con un punto e virgola.
import-template = Scarica il modello:
import-file = File
import-location = Posizione di utilizzo per le righe che non la indicano
import-check-only = Solo controllo, senza importare
import-submit = Carica
import-no-file = Scegli un file da caricare.
import-has-problems = Alcune righe contengono errori. Non è stato importato nulla. Correggi il file e caricalo di nuovo.
import-checked = { $totalText } righe controllate; { $validText } possono essere importate.
import-problems = { $count ->
    [one] { $countText } problema
   *[other] { $countText } problemi
}
col-row = Riga
col-column = Colonna
col-problem = Problema
col-detail = Dettaglio
import-progress-title = Importazione utenti
import-status-queued = In attesa di avvio
import-status-running = Importazione in corso
import-status-succeeded = Completata
import-status-failed = Interrotta
import-processed = { $processedText } righe elaborate su { $totalText }
import-created = { $countText } creati
import-failed = { $countText } non riusciti
import-credentials-once = Le password temporanee possono essere visualizzate una sola volta, entro un'ora dall'importazione.
import-show-passwords = Mostra password temporanee
import-credentials-gone = Le password temporanee sono già state visualizzate oppure è trascorsa l'ora disponibile.

code-unknown = Si è verificato un problema imprevisto.
code-validation_failed = Un valore non è valido
code-not_found = Elemento non trovato o non accessibile.
code-forbidden = Il tuo ruolo non consente questa operazione.
code-user_not_found = Utente non trovato.
code-invalid_username = Il nome utente non è valido
code-user_deleted = L'utente è eliminato.
code-user_not_deleted = L'utente non è eliminato.
code-username_taken = Il nome utente è già in uso
code-domain_not_owned = Il dominio non appartiene al cliente
code-domain_taken = Il dominio appartiene già a un altro cliente
code-email_taken = L'indirizzo e-mail è già in uso
code-restore_window_expired = Il periodo di ripristino è terminato.
code-product_not_owned = Il cliente non ha una sottoscrizione per questo prodotto
code-insufficient_licenses = Licenze disponibili insufficienti
code-dependency_missing = Manca un prodotto richiesto
code-mutually_exclusive = Non compatibile con un altro prodotto dell'utente
code-not_available_in_usage_location = Non disponibile nella posizione di utilizzo dell'utente
code-usage_location_required = L'utente deve prima avere una posizione di utilizzo
code-unknown_service_plan = Il piano di servizio non fa parte del prodotto
code-subscription_exists = Il cliente ha già questa sottoscrizione
code-quantity_below_assigned = La quantità non può essere inferiore alle licenze assegnate
code-precondition_failed = Qualcuno l'ha modificato dopo che hai aperto la pagina, quindi non è stato salvato nulla. Ora la pagina lo mostra com'è; ripeti la modifica se serve ancora.
code-payload_too_large = Il file è troppo grande
code-unsupported_media_type = Questo tipo di file non è supportato
code-internal_error = Si è verificato un problema. L'errore è stato registrato.
code-try_again = Non è stato possibile apportare la modifica ora; non è stato modificato nulla. Riprova.
code-database_unavailable = Il database non è raggiungibile in questo momento. Riprova tra poco.
code-storage_full = Lo spazio di archiviazione del database è pieno; non è stato salvato nulla. Le pagine restano consultabili.
code-required = Il valore è obbligatorio
code-too_long = Il valore è troppo lungo
code-duplicate_username = Il nome utente compare due volte nel file
code-unknown_role = Ruolo sconosciuto
code-unknown_product = Prodotto sconosciuto
code-invalid_country = Codice paese non valido
code-invalid_value = Valore non valido
credentials-kept = Salva subito queste password. Questa pagina le mostra per un'ora, solo a te; dopo non potranno più essere visualizzate. Ogni utente deve cambiare la password al primo accesso.
credentials-gone = Le password temporanee non possono più essere visualizzate: è trascorsa l'ora disponibile.
reset-confirm-many = { $count ->
    [one] Creare una nuova password temporanea per questo utente? La vecchia password smetterà di funzionare.
   *[other] Creare nuove password temporanee per questi { $countText } utenti? Le vecchie password smetteranno di funzionare.
}
reset-submit-many = { $count ->
    [one] Reimposta password
   *[other] Reimposta { $countText } password
}
reset-done-title = Password reimpostate: password temporanee
reset-failed = Non reimpostate
error-not-found = Questa pagina o questo elemento non esiste, oppure non puoi vederlo.
error-bad-request = L'indirizzo o il modulo contiene un valore che Roster non riesce a leggere. Torna indietro e riprova.
error-too-large = Il modulo è troppo grande.
error-internal = Si è verificato un errore sul server. Riprova tra poco.
user-details = Dettagli
user-sign-in = Accesso
user-deleted = Utente eliminato
user-days-left = { $days ->
    [one] Resta { $daysText } giorno per ripristinare questo utente.
   *[other] Restano { $daysText } giorni per ripristinare questo utente.
}
col-service-plans = Piani di servizio
plan-state-on = attivo
plan-state-off = disattivato
activity-none = Nessuna attività per ora.
notice-user-saved = L'utente è stato salvato.
notice-user-deleted = L'utente è stato eliminato. Puoi ripristinarlo da questa pagina.
audit-customer-created = Cliente creato
audit-subscription-created = Abbonamento acquistato
audit-subscription-quantity-changed = Quantità modificata
audit-subscription-seats-added = Licenze acquistate
audit-user-created = Utente creato
audit-user-updated = Utente modificato
audit-user-deleted = Utente eliminato
audit-user-restored = Utente ripristinato
audit-user-purged = Utente eliminato definitivamente
audit-user-password-reset = Password reimpostata
audit-user-licenses-updated = Licenze modificate
more-users = e altri { $countText }
activity-any = Qualsiasi
activity-from = Dal
activity-to = Al
activity-clear = Cancella filtri
user-all-activity = Tutta l'attività di questo utente
error-field-detail = { $field }: { $detail }
invalid-empty = non deve essere vuoto
invalid-too-long = { $max ->
    [one] deve contenere al massimo { $maxText } carattere
   *[other] deve contenere al massimo { $maxText } caratteri
}
invalid-length = deve contenere da 1 a { $maxText } caratteri
invalid-between = deve essere compreso tra { $minText } e { $maxText }
invalid-username-character = contiene { $value }; usa lettere A-Z, cifre e ' . - _ ! # ^ ~
invalid-username-dots = non deve iniziare o finire con un punto né contenere due punti consecutivi
invalid-domain-labels = deve avere almeno due parti separate da un punto, come contoso.example
invalid-domain-label-length = ogni parte tra i punti deve contenere da 1 a 63 caratteri
invalid-domain-characters = può contenere solo lettere, cifre, trattini e punti
invalid-domain-hyphen = una parte tra i punti non deve iniziare o finire con un trattino
invalid-domain-numeric = l'ultima parte non deve essere composta solo da cifre
invalid-upn = deve avere la forma nome@dominio
invalid-control = non deve contenere caratteri di controllo, come gli a capo
invalid-email = deve essere un indirizzo e-mail
invalid-country = { $value } non è un codice paese di due lettere (ISO 3166-1)
invalid-role = { $value } non è un ruolo noto
invalid-agent-role = { $value } non è un ruolo di agente noto
invalid-product-characters = può contenere solo lettere, cifre, «_», «-» e «.»
invalid-domain-differs = è diverso dal dominio indicato nel nome utente
invalid-domain-required = è obbligatorio, a meno che il nome utente non abbia la forma nome@dominio
invalid-listed-twice = { $value } è indicato due volte
import-no-seats = non restano licenze { $product } per questa riga; acquistane altre
import-no-domain = il cliente non ha alcun dominio
import-domain-invalid = il dominio { $value } { $detail }
import-domain-not-owned = { $value } non è uno dei domini del cliente
import-duplicate-username = { $value } compare anche alla riga { $rowText }
import-username-taken = il nome utente { $value } è già in uso
import-unknown-product = { $value } non è un prodotto del catalogo
import-product-not-owned = il cliente non ha una sottoscrizione per { $product }
import-license-product = { $product }
invalid-page-too-many = una pagina contiene al massimo { $maxText } utenti
invalid-selection-too-many = seleziona al massimo { $maxText } utenti
