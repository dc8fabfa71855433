# Консоль Roster: русский
skip-to-content = Перейти к содержимому
nav-main = Главное меню
nav-customers = Клиенты
nav-language = Язык
nav-customer = Меню клиента
sign-out = Выйти
back = Назад
cancel = Отмена
save = Сохранить
apply = Применить
search = Поиск
actions = Действия
buy = Купить
print = Печать
copy = Копировать

login-title = Вход в Roster
login-email = Адрес электронной почты
login-password = Пароль
login-submit = Войти
login-invalid = Неверный адрес электронной почты или пароль.
login-rate-limited = Слишком много неудачных попыток. Подождите несколько минут и повторите попытку.

error-csrf-title = Срок действия формы истек
error-csrf = Срок действия этой формы истек, или она отправлена не из Roster. Обновите страницу и повторите попытку.
error-not-found-title = Не найдено
error-forbidden-title = Действие запрещено
error-internal-title = Что-то пошло не так
error-request-title = Не удалось выполнить действие
error-query = Недопустимое значение в адресе: { $name }. Вернитесь назад и выберите снова.
error-form-too-large = Форма слишком велика для отправки.
error-request-id = Идентификатор запроса:

customers-title = Клиенты
customers-count = { $count ->
    [one] { $countText } клиент
    [few] { $countText } клиента
   *[many] { $countText } клиентов
}
col-company = Компания
col-domains = Домены
col-country = Страна
col-users = Пользователи
users-count = { $count ->
    [one] { $countText } пользователь
    [few] { $countText } пользователя
   *[many] { $countText } пользователей
}
products-count = { $count ->
    [one] { $countText } продукт
    [few] { $countText } продукта
   *[many] { $countText } продуктов
}
menu-users = Пользователи и лицензии
menu-subscriptions = Подписки
menu-activity = Журнал действий

pager-label = Страницы
pager-first = Первая
pager-prev = Предыдущая
pager-next = Следующая
pager-last = Последняя
pager-page-of = Страница { $pageText } из { $pagesText }
page-size = Пользователей на странице

users-title = Пользователи и лицензии
users-tabs = Списки пользователей
tab-users = Пользователи
tab-deleted = Удаленные пользователи ({ $countText })
filter-by = Фильтровать пользователей по
filter-all = Все пользователи
filter-licensed = Пользователи с лицензиями
filter-unlicensed = Пользователи без лицензий
filter-has-product = Есть продукт
filter-admin-role = Роль администратора
filter-any-admin = Любая роль администратора
filter-blocked = Вход заблокирован
action-add-user = Добавить пользователя
action-import = Импортировать пользователей
action-manage-licenses = Управление лицензиями
action-reset-password = Сбросить пароль
action-delete = Удалить учетную запись пользователя
action-block = Заблокировать вход
action-unblock = Разблокировать вход
action-restore = Восстановить
action-export-csv = Экспорт в CSV
action-export-xlsx = Экспорт в Excel
selected-users = Выбранные пользователи ({ $countText })
show-all-users = Показать всех пользователей
select-page = Выбрать всех на странице
clear-selection = Снять выделение
select-user = Выбрать { $name }
col-display-name = Отображаемое имя
col-username = Имя пользователя
col-licenses = Лицензии
col-roles = Роли
col-location = Расположение
col-sign-in = Вход
col-created = Создан
col-deleted-on = Дата удаления
col-days-left = Осталось дней на восстановление
unlicensed = Без лицензии
sign-in-blocked = Заблокирован
sign-in-allowed = Разрешен
no-users = Нет подходящих пользователей.

role-global-admin = Глобальный администратор
role-billing-admin = Администратор выставления счетов
role-user-admin = Администратор пользователей
role-helpdesk-admin = Администратор службы поддержки (паролей)
role-service-admin = Администратор служб
role-license-admin = Администратор лицензий

notice-blocked = Вход заблокирован для пользователей: { $countText }.
notice-unblocked = Вход разблокирован для пользователей: { $countText }.
notice-deleted = Удалено пользователей: { $countText }. Их можно восстановить на этой вкладке.
notice-nothing-to-restore = Выберите удаленных пользователей для восстановления.
notice-quantity-changed = Количество изменено.
notice-subscription-bought = Подписка приобретена.
notice-email-sent = Пароли отправлены по адресу { $to }.

add-title = Добавить пользователя
add-user-n = Пользователь { $nText }
field-first-name = Имя
field-last-name = Фамилия
field-state = Состояние
field-password-expires = Срок действия временного пароля
field-display-name = Отображаемое имя
field-username = Имя пользователя
field-domain = Домен
field-usage-location = Расположение
field-roles = Роли
field-licenses = Лицензии
available-count = (доступно: { $countText })
no-subscriptions = У этого клиента пока нет подписок.
add-another = Добавить еще одного пользователя
add-remove-user = Убрать этого пользователя

credentials-title = Пользователи созданы: временные пароли
credentials-once = Сохраните эти пароли сейчас. После ухода с этой страницы их нельзя будет показать снова. Каждый пользователь должен сменить пароль при первом входе.
col-temporary-password = Временный пароль
credentials-failed = Не созданы
download-csv = Скачать CSV
email-to = Отправить по адресу
email-send = Отправить письмо
email-title = Электронная почта
email-not-configured = Отправка почты на этом сервере не настроена (ROSTER_SMTP_URL).
email-failed = Не удалось отправить письмо: { $reason }
email-subject = Временные пароли новых пользователей
email-intro = Ниже приведены имена пользователей и временные пароли. Каждый пользователь должен сменить пароль при первом входе.
email-outro = Тот же список приложен в виде файла CSV.
back-to-users = Назад к пользователям и лицензиям

reset-title = Сбросить пароль
reset-confirm = Создать новый временный пароль для { $name }? Старый пароль перестанет работать.
reset-submit = Сбросить пароль
reset-done = Новый временный пароль пользователя { $name }:
reset-expires = Срок действия истекает { $date }.
select-exactly-one = Выберите ровно одного пользователя.
select-users-first = Сначала выберите пользователей в списке.

delete-title = Удаление пользователей
delete-explain = Эти пользователи будут удалены, а их лицензии освобождены. Их можно восстановить в течение { $daysText } дн.
delete-submit = Удалить пользователей: { $countText }
restore-title = Восстановление пользователей: результаты
col-user = Пользователь
col-result = Результат
col-licenses-back = Восстановленные лицензии
col-licenses-not-back = Невосстановленные лицензии
restored = Восстановлен
not-restored = Не восстановлен

licenses-title = Управление лицензиями
col-product = Продукт
col-total = Всего
col-assigned = Назначено
col-available = Доступно
col-selected-users = Выбранные пользователи с этим продуктом
op-label = Изменение для { $product }
op-keep = Без изменений
op-assign = Назначить всем выбранным пользователям
op-remove = Удалить у всех выбранных пользователей
view-service-plans = Просмотреть планы обслуживания
plans-explain = Отмеченные планы будут отключены у пользователей, которым назначается лицензия.
plan-off = Отключить { $plan }
licenses-heading = Назначение и отзыв лицензий
chips-more = Ещё { $countText }
plans-explain-holders = Для каждого плана показано его состояние у выбранных пользователей, у которых есть продукт: включён, отключён или по-разному. Меняются только планы, которые вы изменили; остальные остаются как у каждого пользователя.
plan-state-all = включён
plan-state-some = по-разному
plan-state-none = отключён
plan-label = Изменение для { $plan }
plan-keep = Оставить как есть
plan-turn-on = Включить
plan-turn-off = Отключить
buy-more = Купить еще
held-none = Нет
held-some = Назначено ({ $countText } из { $totalText })
mode-atomic = Все или ничего: ничего не менять, если хотя бы один пользователь не пройдет
preview = Предварительный просмотр
licenses-nothing-chosen = Сначала выберите продукт, который нужно назначить или удалить.
preview-title = Предварительный просмотр изменений лицензий
preview-nothing-changed = Это предварительный просмотр. Пока ничего не изменено.
updated-title = Лицензии обновлены
atomic-not-applied = Для некоторых пользователей изменение не удалось бы, поэтому ничего не изменено.
summary-succeeded = Успешно: { $countText }
summary-failed = С ошибкой: { $countText }
summary-unchanged = Без изменений: { $countText }
col-added = Добавлено
col-removed = Удалено
col-problems = Проблемы
set-usage-location = Указать расположение на странице пользователя
status-succeeded = Успешно
status-failed = Ошибка
status-unchanged = Без изменений
status-not-applied = Не применено
summary-not-applied = Успешно было бы: { $countText }, не применено
not-applied-atomic = Для этого пользователя изменение прошло бы успешно, но был выбран режим «всё или ничего», и у другого пользователя произошла ошибка.
not-applied-because = Не применено, так как изменение для пользователя выполняется целиком или не выполняется: { $products }
already-as-asked = Уже как запрошено: { $products }
plans-changed-for = Изменены планы обслуживания: { $products }
why-requires = Для { $product } требуется { $other }, которого у пользователя не будет.
why-required-by = Для { $dependent } требуется { $product }, а { $dependent } у пользователя остаётся.
why-excludes = { $product } нельзя назначить вместе с { $other }.
why-sold-only-in = { $product } продаётся только в: { $where }; расположение пользователя: { $location }.
why-sold-except-in = { $product } не продаётся в: { $where }; расположение пользователя: { $location }.
why-not-sold = { $product } не продаётся в { $location } (расположение пользователя).
why-no-seats = Лицензий { $product } не осталось. Сначала купите ещё.

subscriptions-title = Подписки
col-quantity = Количество
col-utilization = Использование
col-actions = Действия
utilization = Назначено { $percentText }% лицензий
set-quantity = Задать количество
buy-subscription = Купить новую подписку

activity-title = Журнал действий
export-csv = Экспорт в CSV
col-when = Время
col-action = Действие
col-agent = Агент
col-change = Изменение
show-change = Показать до и после
before = До
after = После

import-title = Импорт пользователей
import-explain = Отправьте файл CSV, сохраненный в Excel или LibreOffice (любая кодировка, разделитель — запятая, точка с запятой или табуляция), или книгу Excel. Каждая строка проверяется до создания пользователей.
import-names = Роли и лицензии можно указывать так, как их называет эта консоль, на любом из ее языков (Глобальный администратор, Mail Plan 1), или по идентификатору (global-admin, MAIL_P1); несколько значений разделяйте точкой с запятой.
import-template = Скачать шаблон:
import-file = Файл
import-location = Расположение для строк без него
import-check-only = Только проверить, не импортировать
import-submit = Отправить
import-no-file = Выберите файл для отправки.
import-has-problems = В некоторых строках есть ошибки. Ничего не импортировано. Исправьте файл и отправьте его снова.
import-checked = Проверено строк: { $totalText }; можно импортировать: { $validText }.
import-problems = Проблем: { $countText }
col-row = Строка
col-column = Столбец
col-problem = Проблема
col-detail = Подробности
import-progress-title = Импорт пользователей
import-status-queued = Ожидает запуска
import-status-running = Идет импорт
import-status-succeeded = Завершен
import-status-failed = Остановлен
import-processed = Обработано строк: { $processedText } из { $totalText }
import-created = Создано: { $countText }
import-failed = С ошибкой: { $countText }
import-credentials-once = Временные пароли можно показать один раз в течение часа после импорта.
import-show-passwords = Показать временные пароли
import-credentials-gone = Временные пароли уже были показаны, или прошел отведенный час.

code-unknown = Возникла непредвиденная проблема.
code-validation_failed = Недопустимое значение
code-not_found = Объект не найден или недоступен вам.
code-forbidden = Ваша роль не позволяет выполнить это действие.
code-user_not_found = Пользователь не найден.
code-invalid_username = Недопустимое имя пользователя
code-user_deleted = Пользователь удален.
code-user_not_deleted = Пользователь не удален.
code-username_taken = Это имя пользователя уже занято
code-domain_not_owned = Домен не принадлежит клиенту
code-domain_taken = Домен уже принадлежит другому клиенту
code-email_taken = Этот адрес уже используется
code-restore_window_expired = Срок восстановления истек.
code-product_not_owned = У клиента нет подписки на этот продукт
code-insufficient_licenses = Недостаточно доступных лицензий
code-dependency_missing = Отсутствует обязательный продукт
code-mutually_exclusive = Несовместимо с другим продуктом пользователя
code-not_available_in_usage_location = Недоступно в расположении пользователя
code-usage_location_required = Сначала укажите расположение пользователя
code-unknown_service_plan = Этот план обслуживания не входит в продукт
code-subscription_exists = У клиента уже есть эта подписка
code-quantity_below_assigned = Количество не может быть меньше числа назначенных лицензий
code-precondition_failed = Кто-то изменил это после того, как вы открыли страницу, поэтому ничего не сохранено. Теперь страница показывает текущее состояние; при необходимости внесите изменение снова.
code-payload_too_large = Файл слишком большой
code-unsupported_media_type = Этот тип файла не поддерживается
code-internal_error = Что-то пошло не так. Проблема записана в журнал.
code-try_again = Изменение сейчас не удалось внести, ничего не изменено. Повторите попытку.
code-database_unavailable = База данных сейчас недоступна. Повторите попытку чуть позже.
code-storage_full = Хранилище базы данных заполнено, ничего не сохранено. Страницы по-прежнему можно просматривать.
code-required = Обязательное значение
code-too_long = Слишком длинное значение
code-duplicate_username = Имя пользователя встречается в файле дважды
code-unknown_role = Неизвестная роль
code-unknown_product = Неизвестный продукт
code-invalid_country = Недопустимый код страны
code-invalid_value = Недопустимое значение
credentials-kept = Сохраните эти пароли сейчас. Эта страница показывает их в течение часа и только вам; после этого их нельзя будет показать снова. Каждый пользователь должен сменить пароль при первом входе.
credentials-gone = Временные пароли больше нельзя показать: отведенный час прошел.
reset-confirm-many = { $count ->
    [one] Создать новый временный пароль для этого пользователя? Старый пароль перестанет действовать.
    [few] Создать новые временные пароли для этих { $countText } пользователей? Их старые пароли перестанут действовать.
    [many] Создать новые временные пароли для этих { $countText } пользователей? Их старые пароли перестанут действовать.
   *[other] Создать новые временные пароли для этих { $countText } пользователя? Их старые пароли перестанут действовать.
}
reset-submit-many = { $count ->
    [one] Сбросить пароль
   *[other] Сбросить пароли ({ $countText })
}
reset-done-title = Пароли сброшены: временные пароли
reset-failed = Не сброшены
error-not-found = Эта страница или элемент не существует, или у вас нет к нему доступа.
error-bad-request = Адрес или форма содержит значение, которое Roster не может прочитать. Вернитесь назад и попробуйте снова.
error-too-large = Форма слишком велика.
error-internal = На сервере произошла ошибка. Повторите попытку чуть позже.
user-details = Сведения
user-sign-in = Вход
user-deleted = Удаленный пользователь
user-days-left = Осталось дней для восстановления этого пользователя: { $daysText }.
col-service-plans = Планы обслуживания
plan-state-on = включен
plan-state-off = отключен
activity-none = Действий пока нет.
notice-user-saved = Пользователь сохранен.
notice-user-deleted = Пользователь удален. Его можно восстановить на этой странице.
audit-customer-created = Клиент создан
audit-subscription-created = Подписка куплена
audit-subscription-quantity-changed = Количество изменено
audit-subscription-seats-added = Лицензии куплены
audit-user-created = Пользователь создан
audit-user-updated = Пользователь изменен
audit-user-deleted = Пользователь удален
audit-user-restored = Пользователь восстановлен
audit-user-purged = Пользователь удален навсегда
audit-user-password-reset = Пароль сброшен
audit-user-licenses-updated = Лицензии изменены
more-users = и еще { $countText }
activity-any = Любое
activity-from = С
activity-to = По
activity-clear = Сбросить фильтры
user-all-activity = Все действия с этим пользователем
error-field-detail = { $field }: { $detail }
invalid-empty = не может быть пустым
invalid-too-long = { $max ->
    [one] должно содержать не более { $maxText } символа
   *[other] должно содержать не более { $maxText } символов
}
invalid-length = должно содержать от 1 до { $maxText } символов
invalid-between = должно быть от { $minText } до { $maxText }
invalid-username-character = содержит { $value }; используйте латинские буквы A-Z, цифры и ' . - _ ! # ^ ~
invalid-username-dots = не может начинаться или заканчиваться точкой и содержать две точки подряд
invalid-domain-labels = должно состоять минимум из двух частей, разделённых точкой, например contoso.example
invalid-domain-label-length = каждая часть между точками должна содержать от 1 до 63 символов
invalid-domain-characters = может содержать только буквы, цифры, дефисы и точки
invalid-domain-hyphen = часть между точками не может начинаться или заканчиваться дефисом
invalid-domain-numeric = последняя часть не может состоять только из цифр
invalid-upn = должно иметь вид имя@домен
invalid-control = не может содержать управляющие символы, например переводы строки
invalid-email = должно быть адресом электронной почты
invalid-country = { $value } не является двухбуквенным кодом страны (ISO 3166-1)
invalid-role = { $value } не является известной ролью
invalid-agent-role = { $value } не является известной ролью агента
invalid-product-characters = может содержать только буквы, цифры, «_», «-» и «.»
invalid-domain-differs = не совпадает с доменом в имени пользователя
invalid-domain-required = обязателен, если имя пользователя не имеет вида имя@домен
invalid-listed-twice = { $value } указан дважды
import-no-seats = для этой строки не осталось лицензий { $product }; купите ещё
import-no-domain = у клиента нет ни одного домена
import-domain-invalid = домен { $value }: { $detail }
import-domain-not-owned = { $value } не является доменом клиента
import-duplicate-username = { $value } также указан в строке { $rowText }
import-username-taken = имя пользователя { $value } уже занято
import-unknown-product = { $value } отсутствует в каталоге
import-product-not-owned = у клиента нет подписки на { $product }
import-license-product = { $product }
invalid-page-too-many = на странице может быть не более { $maxText } пользователей
invalid-selection-too-many = выберите не более { $maxText } пользователей
