# Console Roster : français
skip-to-content = Aller au contenu
nav-main = Principal
nav-customers = Clients
nav-language = Langue
nav-customer = Menu du client
sign-out = Se déconnecter
back = Retour
cancel = Annuler
save = Enregistrer
apply = Appliquer
search = Rechercher
actions = Actions
buy = Acheter
print = Imprimer
copy = Copier

login-title = Se connecter à Roster
login-email = Adresse e-mail
login-password = Mot de passe
login-submit = Se connecter
login-invalid = L'adresse e-mail ou le mot de passe est incorrect.
login-rate-limited = Trop de tentatives échouées. Patientez quelques minutes, puis réessayez.

error-csrf-title = Le formulaire a expiré
error-csrf = Ce formulaire a expiré ou ne provient pas de Roster. Rechargez la page et réessayez.
error-not-found-title = Introuvable
error-forbidden-title = Action non autorisée
error-internal-title = Une erreur s'est produite
error-request-title = Impossible d'effectuer cette action
error-query = Une valeur de l’adresse n’est pas valide : { $name }. Revenez en arrière et choisissez à nouveau.
error-form-too-large = Le formulaire est trop volumineux pour être envoyé.
error-request-id = Identifiant de la requête :

customers-title = Clients
customers-count = { $count ->
    [one] { $countText } client
   *[other] { $countText } clients
}
col-company = Société
col-domains = Domaines
col-country = Pays
col-users = Utilisateurs
users-count = { $count ->
    [one] { $countText } utilisateur
   *[other] { $countText } utilisateurs
}
products-count = { $count ->
    [one] { $countText } produit
   *[other] { $countText } produits
}
menu-users = Utilisateurs et licences
menu-subscriptions = Abonnements
menu-activity = Journal d'activité

pager-label = Pages
pager-first = Premier
pager-prev = Précédent
pager-next = Suivant
pager-last = Dernier
pager-page-of = Page { $pageText } sur { $pagesText }
page-size = Utilisateurs par page

users-title = Utilisateurs et licences
users-tabs = Listes d'utilisateurs
tab-users = Utilisateurs
tab-deleted = Utilisateurs supprimés ({ $countText })
filter-by = Filtrer les utilisateurs par
filter-all = Tous les utilisateurs
filter-licensed = Utilisateurs avec licence
filter-unlicensed = Utilisateurs sans licence
filter-has-product = Possède le produit
filter-admin-role = Rôle d'administrateur
filter-any-admin = Tout rôle d'administrateur
filter-blocked = Connexion bloquée
action-add-user = Ajouter un utilisateur
action-import = Importer des utilisateurs
action-manage-licenses = Gérer les licences
action-reset-password = Réinitialiser le mot de passe
action-delete = Supprimer le compte d’utilisateur
action-block = Bloquer la connexion
action-unblock = Débloquer la connexion
action-restore = Restaurer
action-export-csv = Exporter en CSV
action-export-xlsx = Exporter vers Excel
selected-users = Utilisateurs sélectionnés ({ $countText })
show-all-users = Afficher tous les utilisateurs
select-page = Sélectionner toute la page
clear-selection = Effacer la sélection
select-user = Sélectionner { $name }
col-display-name = Nom d'affichage
col-username = Nom d'utilisateur
col-licenses = Licences
col-roles = Rôles
col-location = Emplacement d'utilisation
col-sign-in = Connexion
col-created = Créé le
col-deleted-on = Supprimé le
col-days-left = Jours restants pour restaurer
unlicensed = Sans licence
sign-in-blocked = Bloquée
sign-in-allowed = Autorisée
no-users = Aucun utilisateur ne correspond.

role-global-admin = Administrateur général
role-billing-admin = Administrateur de facturation
role-user-admin = Administrateur des utilisateurs
role-helpdesk-admin = Administrateur du support (mots de passe)
role-service-admin = Administrateur de services
role-license-admin = Administrateur de licences

notice-blocked = Connexion bloquée pour { $countText } utilisateurs.
notice-unblocked = Connexion débloquée pour { $countText } utilisateurs.
notice-deleted = { $count ->
    [one] { $countText } utilisateur supprimé. Vous pouvez le restaurer depuis cet onglet.
   *[other] { $countText } utilisateurs supprimés. Vous pouvez les restaurer depuis cet onglet.
}
notice-nothing-to-restore = Sélectionnez des utilisateurs supprimés à restaurer.
notice-quantity-changed = La quantité a été modifiée.
notice-subscription-bought = L'abonnement a été acheté.
notice-email-sent = Les mots de passe ont été envoyés par e-mail à { $to }.

add-title = Ajouter un utilisateur
add-user-n = Utilisateur { $nText }
field-first-name = Prénom
field-last-name = Nom
field-state = État
field-password-expires = Expiration du mot de passe temporaire
field-display-name = Nom d'affichage
field-username = Nom d'utilisateur
field-domain = Domaine
field-usage-location = Emplacement d'utilisation
field-roles = Rôles
field-licenses = Licences
available-count = ({ $countText } disponibles)
no-subscriptions = Ce client n'a pas encore d'abonnement.
add-another = Ajouter un autre utilisateur
add-remove-user = Retirer cet utilisateur

credentials-title = Utilisateurs créés : mots de passe temporaires
credentials-once = Enregistrez ces mots de passe maintenant. Une fois cette page quittée, ils ne pourront plus être affichés. Chaque utilisateur doit changer son mot de passe à la première connexion.
col-temporary-password = Mot de passe temporaire
credentials-failed = Non créés
download-csv = Télécharger le CSV
email-to = Envoyer par e-mail à
email-send = Envoyer l'e-mail
email-title = E-mail
email-not-configured = L'envoi d'e-mails n'est pas configuré sur ce serveur (ROSTER_SMTP_URL).
email-failed = L'e-mail n'a pas pu être envoyé : { $reason }
email-subject = Mots de passe temporaires des nouveaux utilisateurs
email-intro = Voici les noms d'utilisateur et les mots de passe temporaires. Chaque utilisateur doit changer son mot de passe à la première connexion.
email-outro = La même liste est jointe sous forme de fichier CSV.
back-to-users = Retour à Utilisateurs et licences

reset-title = Réinitialiser le mot de passe
reset-confirm = Créer un nouveau mot de passe temporaire pour { $name } ? L'ancien mot de passe ne fonctionnera plus.
reset-submit = Réinitialiser le mot de passe
reset-done = Le nouveau mot de passe temporaire de { $name } :
reset-expires = Il expire le { $date }.
select-exactly-one = Sélectionnez un seul utilisateur.
select-users-first = Sélectionnez d'abord des utilisateurs dans la liste.

delete-title = Supprimer des utilisateurs
delete-explain = Ces utilisateurs vont être supprimés et leurs licences libérées. Vous pourrez les restaurer pendant { $daysText } jours.
delete-submit = { $count ->
    [one] Supprimer { $countText } utilisateur
   *[other] Supprimer { $countText } utilisateurs
}
restore-title = Restaurer des utilisateurs : résultats
col-user = Utilisateur
col-result = Résultat
col-licenses-back = Licences restaurées
col-licenses-not-back = Licences non restaurées
restored = Restauré
not-restored = Non restauré

licenses-title = Gérer les licences
col-product = Produit
col-total = Total
col-assigned = Attribuées
col-available = Disponibles
col-selected-users = Utilisateurs sélectionnés qui l'ont
op-label = Modification pour { $product }
op-keep = Aucune modification
op-assign = Attribuer à tous les utilisateurs sélectionnés
op-remove = Retirer à tous les utilisateurs sélectionnés
view-service-plans = Afficher les plans de service
plans-explain = Les plans cochés sont désactivés pour les utilisateurs auxquels la licence est attribuée.
plan-off = Désactiver { $plan }
licenses-heading = Attribuer et révoquer des licences
chips-more = +{ $countText } de plus
plans-explain-holders = Chaque plan indique son état parmi les utilisateurs sélectionnés qui ont le produit : activé, désactivé ou mixte. Seuls les plans que vous modifiez changent ; les autres restent tels que chaque utilisateur les a.
plan-state-all = activé
plan-state-some = mixte
plan-state-none = désactivé
plan-label = Modification pour { $plan }
plan-keep = Laisser tel quel
plan-turn-on = Activer
plan-turn-off = Désactiver
buy-more = Acheter davantage
held-none = Aucun
held-some = Attribuées ({ $countText } sur { $totalText })
mode-atomic = Tout ou rien : ne modifier personne si un utilisateur échoue
preview = Aperçu
licenses-nothing-chosen = Choisissez d'abord un produit à attribuer ou à retirer.
preview-title = Aperçu des modifications de licences
preview-nothing-changed = Ceci est un aperçu. Rien n'a encore été modifié.
updated-title = Licences mises à jour
atomic-not-applied = Certains utilisateurs auraient échoué : aucune modification n'a été appliquée.
summary-succeeded = { $countText } réussies
summary-failed = { $countText } en échec
summary-unchanged = { $countText } inchangées
col-added = Ajoutées
col-removed = Retirées
col-problems = Problèmes
set-usage-location = Définir l'emplacement d'utilisation sur la page de l'utilisateur
status-succeeded = Réussi
status-failed = Échec
status-unchanged = Inchangé
status-not-applied = Non appliqué
summary-not-applied = { $countText } auraient réussi, non appliquées
not-applied-atomic = Cet utilisateur aurait réussi, mais « tout ou rien » était demandé et un autre utilisateur a échoué.
not-applied-because = Non appliqué, car la modification de cet utilisateur se fait en tout ou rien : { $products }
already-as-asked = Déjà comme demandé : { $products }
plans-changed-for = Plans de service modifiés : { $products }
why-requires = { $product } nécessite { $other }, que l'utilisateur n'aurait pas.
why-required-by = { $dependent } nécessite { $product }, et l'utilisateur conserve { $dependent }.
why-excludes = { $product } ne peut pas être attribué avec { $other }.
why-sold-only-in = { $product } n'est vendu que dans : { $where } ; l'emplacement d'utilisation de l'utilisateur est { $location }.
why-sold-except-in = { $product } n'est pas vendu dans : { $where } ; l'emplacement d'utilisation de l'utilisateur est { $location }.
why-not-sold = { $product } n'est pas vendu dans { $location }, l'emplacement d'utilisation de l'utilisateur.
why-no-seats = Il ne reste aucune licence { $product }. Achetez-en davantage d'abord.

subscriptions-title = Abonnements
col-quantity = Quantité
col-utilization = Utilisation
col-actions = Actions
utilization = { $percentText } % des licences attribuées
set-quantity = Définir la quantité
buy-subscription = Acheter un nouvel abonnement

activity-title = Journal d'activité
export-csv = Exporter en CSV
col-when = Date
col-action = Action
col-agent = Agent
col-change = Modification
show-change = Afficher avant et après
before = Avant
after = Après

import-title = Importer des utilisateurs
import-explain = Chargez un fichier CSV enregistré par Excel ou LibreOffice (tout encodage, virgule, point-virgule ou tabulation) ou un classeur Excel. Chaque ligne est vérifiée avant toute création.
import-names = Les rôles et les licences peuvent être écrits comme cette console les nomme, dans chacune de ses langues (Administrateur général, Mail Plan 1), ou par leur identifiant (global-admin, MAIL_P1) ; séparez-en plusieurs par un point-virgule.
import-template = Télécharger le modèle :
import-file = Fichier
import-location = Emplacement d'utilisation des lignes qui n'en ont pas
import-check-only = Vérifier seulement, sans importer
import-submit = Charger
import-no-file = Choisissez un fichier à charger.
import-has-problems = Certaines lignes comportent des erreurs. Rien n'a été importé. Corrigez le fichier et chargez-le de nouveau.
import-checked = { $totalText } lignes vérifiées ; { $validText } peuvent être importées.
import-problems = { $count ->
    [one] { $countText } problème
   *[other] { $countText } problèmes
}
col-row = Ligne
col-column = Colonne
col-problem = Problème
col-detail = Détail
import-progress-title = Importation des utilisateurs
import-status-queued = En attente de démarrage
import-status-running = Importation en cours
import-status-succeeded = Terminée
import-status-failed = Interrompue
import-processed = { $processedText } lignes traitées sur { $totalText }
import-created = { $countText } créés
import-failed = { $countText } en échec
import-credentials-once = Les mots de passe temporaires peuvent être affichés une seule fois, dans l'heure qui suit l'importation.
import-show-passwords = Afficher les mots de passe temporaires
import-credentials-gone = Les mots de passe temporaires ont déjà été affichés, ou leur délai d'une heure est écoulé.

code-unknown = Un problème inattendu s'est produit.
code-validation_failed = Une valeur n'est pas valide
code-not_found = Élément introuvable, ou vous n'y avez pas accès.
code-forbidden = Votre rôle ne permet pas cette action.
code-user_not_found = L'utilisateur est introuvable.
code-invalid_username = Le nom d'utilisateur n'est pas valide
code-user_deleted = L'utilisateur est supprimé.
code-user_not_deleted = L'utilisateur n'est pas supprimé.
code-username_taken = Ce nom d'utilisateur est déjà pris
code-domain_not_owned = Ce domaine n'appartient pas au client
code-domain_taken = Ce domaine appartient déjà à un autre client
code-email_taken = Cette adresse e-mail est déjà utilisée
code-restore_window_expired = La période de restauration est terminée.
code-product_not_owned = Le client n'a pas d'abonnement à ce produit
code-insufficient_licenses = Licences disponibles insuffisantes
code-dependency_missing = Un produit requis est manquant
code-mutually_exclusive = Incompatible avec un autre produit de l'utilisateur
code-not_available_in_usage_location = Non disponible dans l'emplacement d'utilisation de l'utilisateur
code-usage_location_required = L'utilisateur doit d'abord avoir un emplacement d'utilisation
code-unknown_service_plan = Ce plan de service ne fait pas partie du produit
code-subscription_exists = Le client a déjà cet abonnement
code-quantity_below_assigned = La quantité ne peut pas être inférieure au nombre de licences attribuées
code-precondition_failed = Quelqu'un l'a modifié après l'ouverture de la page, donc rien n'a été enregistré. La page le montre maintenant tel qu'il est ; refaites votre modification si vous le souhaitez toujours.
code-payload_too_large = Le fichier est trop volumineux
code-unsupported_media_type = Ce type de fichier n'est pas pris en charge
code-internal_error = Une erreur s'est produite. Le problème a été consigné.
code-try_again = La modification n'a pas pu être faite pour l'instant ; rien n'a été modifié. Réessayez.
code-database_unavailable = La base de données est injoignable pour l'instant. Réessayez dans un moment.
code-storage_full = Le stockage de la base de données est plein ; rien n'a été enregistré. Les pages restent consultables.
code-required = Une valeur est obligatoire
code-too_long = La valeur est trop longue
code-duplicate_username = Ce nom d'utilisateur figure deux fois dans le fichier
code-unknown_role = Rôle inconnu
code-unknown_product = Produit inconnu
code-invalid_country = Code pays non valide
code-invalid_value = Valeur non valide
credentials-kept = Enregistrez ces mots de passe maintenant. Cette page les affiche pendant une heure, à vous seul ; ensuite, ils ne pourront plus être affichés. Chaque utilisateur doit changer son mot de passe à la première connexion.
credentials-gone = Les mots de passe temporaires ne peuvent plus être affichés : leur délai d'une heure est écoulé.
reset-confirm-many = { $count ->
    [one] Créer un nouveau mot de passe temporaire pour cet utilisateur ? L'ancien mot de passe ne fonctionnera plus.
   *[other] Créer de nouveaux mots de passe temporaires pour ces { $countText } utilisateurs ? Leurs anciens mots de passe ne fonctionneront plus.
}
reset-submit-many = { $count ->
    [one] Réinitialiser le mot de passe
   *[other] Réinitialiser { $countText } mots de passe
}
reset-done-title = Mots de passe réinitialisés : mots de passe temporaires
reset-failed = Non réinitialisés
error-not-found = Cette page ou cet élément n'existe pas, ou vous n'avez pas accès à celui-ci.
error-bad-request = L'adresse ou le formulaire contient une valeur que Roster ne peut pas lire. Revenez en arrière et réessayez.
error-too-large = Le formulaire est trop volumineux.
error-internal = Une erreur s'est produite sur le serveur. Réessayez dans un instant.
user-details = Détails
user-sign-in = Connexion
user-deleted = Utilisateur supprimé
user-days-left = { $days ->
    [one] Il reste { $daysText } jour pour restaurer cet utilisateur.
   *[other] Il reste { $daysText } jours pour restaurer cet utilisateur.
}
col-service-plans = Plans de service
plan-state-on = activé
plan-state-off = désactivé
activity-none = Aucune activité pour l'instant.
notice-user-saved = L'utilisateur a été enregistré.
notice-user-deleted = L'utilisateur a été supprimé. Vous pouvez le restaurer depuis cette page.
audit-customer-created = Client créé
audit-subscription-created = Abonnement acheté
audit-subscription-quantity-changed = Quantité modifiée
audit-subscription-seats-added = Licences achetées
audit-user-created = Utilisateur créé
audit-user-updated = Utilisateur modifié
audit-user-deleted = Utilisateur supprimé
audit-user-restored = Utilisateur restauré
audit-user-purged = Utilisateur supprimé définitivement
audit-user-password-reset = Mot de passe réinitialisé
audit-user-licenses-updated = Licences modifiées
more-users = et { $countText } autres
activity-any = Tous
activity-from = Du
activity-to = Au
activity-clear = Effacer les filtres
user-all-activity = Toute l'activité de cet utilisateur
error-field-detail = { $field } : { $detail }
invalid-empty = ne doit pas être vide
invalid-too-long = { $max ->
    [one] doit contenir au plus { $maxText } caractère
   *[other] doit contenir au plus { $maxText } caractères
}
invalid-length = doit contenir de 1 à { $maxText } caractères
invalid-between = doit être compris entre { $minText } et { $maxText }
invalid-username-character = contient { $value } ; utilisez des lettres A-Z, des chiffres et ' . - _ ! # ^ ~
invalid-username-dots = ne doit pas commencer ni finir par un point, ni contenir deux points consécutifs
invalid-domain-labels = doit avoir au moins deux parties séparées par un point, comme contoso.example
invalid-domain-label-length = chaque partie entre les points doit contenir de 1 à 63 caractères
invalid-domain-characters = ne peut contenir que des lettres, des chiffres, des traits d'union et des points
invalid-domain-hyphen = une partie entre les points ne doit pas commencer ni finir par un trait d'union
invalid-domain-numeric = la dernière partie ne doit pas être composée uniquement de chiffres
invalid-upn = doit avoir la forme nom@domaine
invalid-control = ne doit pas contenir de caractères de contrôle, comme des sauts de ligne
invalid-email = doit être une adresse e-mail
invalid-country = { $value } n'est pas un code de pays à deux lettres (ISO 3166-1)
invalid-role = { $value } n'est pas un rôle connu
invalid-agent-role = { $value } n'est pas un rôle d'agent connu
invalid-product-characters = ne peut contenir que des lettres, des chiffres, « _ », « - » et « . »
invalid-domain-differs = diffère du domaine indiqué dans le nom d'utilisateur
invalid-domain-required = est obligatoire, sauf si le nom d'utilisateur a la forme nom@domaine
invalid-listed-twice = { $value } figure deux fois
import-no-seats = il ne reste plus de licence { $product } pour cette ligne ; achetez-en davantage
import-no-domain = le client n'a aucun domaine
import-domain-invalid = le domaine { $value } { $detail }
import-domain-not-owned = { $value } ne fait pas partie des domaines du client
import-duplicate-username = { $value } figure aussi à la ligne { $rowText }
import-username-taken = le nom d'utilisateur { $value } est déjà pris
import-unknown-product = { $value } ne figure pas dans le catalogue
import-product-not-owned = le client n'a pas d'abonnement à { $product }
import-license-product = { $product }
invalid-page-too-many = une page contient au plus { $maxText } utilisateurs
invalid-selection-too-many = sélectionnez au plus { $maxText } utilisateurs
