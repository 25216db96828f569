package i18n

// The catalogue. Each variable is one message; Key names it in stored
// notifications, so a key, once used, is never renamed or reused.

// Requests (訴求, internal/appeal).
var (
	// RequestFiled tells the grid's staff of a new request.
	RequestFiled = define(Message{Key: "request.filed",
		Title: Text{"新诉求：{category}", "New request: {category}"},
		Body:  Text{"{text}", "{text}"}})
	// RequestFiledUrgent tells the grid's staff of a new urgent request.
	RequestFiledUrgent = define(Message{Key: "request.filed_urgent",
		Title: Text{"【紧急】新诉求：{category}", "[Urgent] New request: {category}"},
		Body:  Text{"{text}", "{text}"}})
	// RequestClaimed tells the requester their request was taken on.
	RequestClaimed = define(Message{Key: "request.claimed",
		Title: Text{"您的诉求已受理", "Your request has been taken on"},
		Body:  Text{"{text}", "{text}"}})
	// RequestHandedOver tells a staff member a request is now theirs.
	RequestHandedOver = define(Message{Key: "request.handed_over",
		Title: Text{"转交给您的诉求", "A request was handed over to you"},
		Body:  Text{"{text}", "{text}"}})
	// RequestProgress tells the requester of a note on their request.
	RequestProgress = define(Message{Key: "request.progress",
		Title: Text{"您的诉求有新进展", "News on your request"},
		Body:  Text{"{text}", "{text}"}})
	// RequestDepartmentCalled asks a department to report (吹哨報到).
	RequestDepartmentCalled = define(Message{Key: "request.department_called",
		Title: Text{"网格呼叫：请报到", "The grid calls: please report"},
		Body:  Text{"{text}", "{text}"}})
	// RequestDepartmentAcknowledged tells the grid a department reported.
	RequestDepartmentAcknowledged = define(Message{Key: "request.department_acknowledged",
		Title: Text{"部门已报到", "The department has reported"},
		Body:  Text{"{text}", "{text}"}})
	// RequestResolved asks the requester to confirm the resolution.
	RequestResolved = define(Message{Key: "request.resolved",
		Title: Text{"您的诉求已办结，请确认", "Your request is resolved: please confirm"},
		Body:  Text{"{text}", "{text}"}})
	// RequestConfirmed tells the handler the requester confirmed.
	RequestConfirmed = define(Message{Key: "request.confirmed",
		Title: Text{"诉求人已确认办结", "The requester confirmed the resolution"},
		Body:  Text{"{text}", "{text}"}})
	// RequestReopened tells the handler the requester asked to reopen.
	RequestReopened = define(Message{Key: "request.reopened",
		Title: Text{"诉求人要求重办", "The requester asked to reopen the request"},
		Body:  Text{"{text}", "{text}"}})
	// RequestRated tells the handler the requester rated the handling.
	RequestRated = define(Message{Key: "request.rated",
		Title: Text{"诉求人已评价", "The requester rated the handling"},
		Body:  Text{"{text}", "{text}"}})
	// RequestEscalated tells a rung of the ladder a stage is overdue.
	RequestEscalated = define(Message{Key: "request.escalated",
		Title: Text{"督办：诉求{stage}超时", "Escalation: a request's {stage} is overdue"},
		Body:  Text{"{stage}超时（期限 {due}）", "{stage} overdue (due {due})"},
		Terms: map[string]string{"stage": "stage"}})
)

// Care (internal/care).
var (
	// CareBooked tells the family of a confirmed booking.
	CareBooked = define(Message{Key: "care.booked",
		Title: Text{"{service}：已为{name}预约 {day} {time}", "{service}: {day} {time} booked for {name}"}})
	// CareWaitlisted tells the family of a place on the waitlist.
	CareWaitlisted = define(Message{Key: "care.waitlisted",
		Title: Text{"{service}：{name}已排入 {day} {time} 的候补（第 {position} 位）", "{service}: {name} is on the waitlist for {day} {time} (position {position})"}})
	// CareCancelled tells the family a booking was cancelled.
	CareCancelled = define(Message{Key: "care.cancelled",
		Title: Text{"一项照护预约已取消", "A care booking was cancelled"}})
	// CareOffered offers the first on the waitlist a freed place.
	CareOffered = define(Message{Key: "care.offered",
		Title: Text{"有照护名额空出给您", "A care place is free for you"},
		Body:  Text{"{day} {time} 的名额为您保留：请在 {expires} 前确认，否则将让给下一位。", "A place on {day} at {time} is offered: confirm by {expires} or it passes to the next in line."}})
	// CareOfferTaken tells the family the offered place is theirs.
	CareOfferTaken = define(Message{Key: "care.offer_taken",
		Title: Text{"空出的照护名额归您了", "The offered care place is yours"}})
	// CareOfferExpired tells the family an offer passed on.
	CareOfferExpired = define(Message{Key: "care.offer_expired",
		Title: Text{"空出的照护名额已让给下一位", "An offered care place passed on"},
		Body:  Text{"未在时限内确认。", "The offer was not confirmed in time."}})
	// CareCheckedIn tells the family someone arrived.
	CareCheckedIn = define(Message{Key: "care.checked_in",
		Title: Text{"{name} {time} 已签到", "{name} checked in at {time}"}})
	// CareCheckedOut tells the family someone left.
	CareCheckedOut = define(Message{Key: "care.checked_out",
		Title: Text{"{name} {time} 已签退", "{name} checked out at {time}"}})
	// CareNoShow tells the family someone did not come.
	CareNoShow = define(Message{Key: "care.no_show",
		Title: Text{"{name}未到", "{name} did not come"}})
	// CareNote tells the family a caregiver wrote a note.
	CareNote = define(Message{Key: "care.note",
		Title: Text{"照护员写了关于{name}的记录", "A caregiver wrote about {name}"}})
	// CareIncident tells the family of an incident.
	CareIncident = define(Message{Key: "care.incident",
		Title: Text{"意外（{severity}）：{name}，{time}", "Incident ({severity}): {name} at {time}"},
		Body:  Text{"请打开应用查看经过和处理情况。", "Open the app for what happened and what was done."},
		Terms: map[string]string{"severity": "severity"}})
)

// Canteens and meals (internal/canteen).
var (
	// MenuPublished tells a canteen's followers of a new menu.
	MenuPublished = define(Message{Key: "canteen.menu_published",
		Title: Text{"{canteen}：{date} {period}菜单", "{canteen}: {period} menu for {date}"},
		Body:  Text{"请在截止时间前订餐。", "Order before the cut-off."},
		Terms: map[string]string{"period": "period"}})
	// MealOrderedForYou tells a beneficiary someone ordered for them.
	MealOrderedForYou = define(Message{Key: "meal.ordered_for_you",
		Title: Text{"{orderer}为您订了 {date} 的{period}", "{orderer} ordered {period} for you on {date}"},
		Body:  Text{"{canteen}，{fulfillment}；应付 {amount}。", "{canteen}, {fulfillment}; to pay {amount}."},
		Terms: map[string]string{"period": "period", "fulfillment": "fulfillment"}})
	// MealCancelled tells the family an order was cancelled.
	MealCancelled = define(Message{Key: "meal.cancelled",
		Title: Text{"{recipient} {date} 的{period}已取消", "{recipient}'s {period} on {date} was cancelled"},
		Body:  Text{"由{canceller}取消。", "Cancelled by {canceller}."},
		Terms: map[string]string{"period": "period"}})
	// MealReadyForDelivery tells the family a meal to deliver is ready.
	MealReadyForDelivery = define(Message{Key: "meal.ready_delivery",
		Title: Text{"{recipient}的{period}已备好", "{recipient}'s {period} is ready"},
		Body:  Text{"很快就会送出。", "It will be on its way soon."},
		Terms: map[string]string{"period": "period"}})
	// MealReadyForPickUp tells the family a meal to collect is ready.
	MealReadyForPickUp = define(Message{Key: "meal.ready_pickup",
		Title: Text{"{recipient}的{period}已备好", "{recipient}'s {period} is ready"},
		Body:  Text{"取餐码 {code}。", "Pick-up code {code}."},
		Terms: map[string]string{"period": "period"}})
	// MealOnItsWay tells the family a meal is being delivered.
	MealOnItsWay = define(Message{Key: "meal.on_its_way",
		Title: Text{"{recipient}的{period}正在送来", "{recipient}'s {period} is on its way"},
		Body:  Text{"送到时请出示取餐码 {code}。", "Show code {code} when it arrives."},
		Terms: map[string]string{"period": "period"}})
	// DeliverMealTask is the volunteer task of delivering a meal: title and
	// details.
	DeliverMealTask = define(Message{Key: "task.deliver_meal",
		Title: Text{"给{name}送{period}", "Deliver {period} to {name}"},
		Body:  Text{"{canteen} {date} {period}：从{from}送到{to}", "{canteen} {period} {date}: from {from} to {to}"},
		Terms: map[string]string{"period": "period"}})
	// MealMemo is the time-bank memo of minutes spent on a meal.
	MealMemo = define(Message{Key: "meal.memo",
		Title: Text{"{canteen} {date} {period}", "{canteen} {period} {date}"},
		Terms: map[string]string{"period": "period"}})
)

// Red Neighbor, 鄰呼我應 and 志願服務110 (internal/redneighbor).
var (
	// HelpRequested tells the grid's volunteers of a help request.
	HelpRequested = define(Message{Key: "help.requested",
		Title: Text{"邻呼我应：{title}", "A neighbour asks for help: {title}"},
		Body:  Text{"{requester} · {location} · {minutes} 分钟", "{requester} · {location} · {minutes} minutes"}})
	// HelpWidened tells the community's volunteers of a widened request.
	HelpWidened = define(Message{Key: "help.widened",
		Title: Text{"邻呼我应（社区）：{title}", "A neighbour asks for help (community): {title}"},
		Body:  Text{"{requester} · {location} · {minutes} 分钟", "{requester} · {location} · {minutes} minutes"}})
	// HelpOffered tells the requester a volunteer offers to help.
	HelpOffered = define(Message{Key: "help.offered",
		Title: Text{"有志愿者愿意帮忙：{title}", "A volunteer offers to help: {title}"},
		Body:  Text{"{note}", "{note}"}})
	// HelpMatched tells the volunteer and requester they are matched.
	HelpMatched = define(Message{Key: "help.matched",
		Title: Text{"邻呼我应已配对：{title}", "Help request matched: {title}"},
		Body:  Text{"{requester} · {location}", "{requester} · {location}"}})
	// HelpCancelled tells who was involved a help request was cancelled.
	HelpCancelled = define(Message{Key: "help.cancelled",
		Title: Text{"邻呼我应已取消：{title}", "Help request cancelled: {title}"}})
	// HelpExpired tells the requester nobody answered in time.
	HelpExpired = define(Message{Key: "help.expired",
		Title: Text{"邻呼我应已过期：{title}", "Help request expired: {title}"},
		Body:  Text{"这次没有志愿者应答，可以再发一次。", "No volunteer answered this time; you can ask again."}})
	// HelpPaid tells the volunteer of the minutes earned.
	HelpPaid = define(Message{Key: "help.paid",
		Title: Text{"时间银行 +{minutes} 分钟", "Time bank +{minutes} minutes"},
		Body:  Text{"邻呼我应：{title}", "Help given: {title}"}})
	// HelpMemo is the time-bank memo of pay for help.
	HelpMemo = define(Message{Key: "help.memo",
		Title: Text{"邻呼我应：{title}（{requester}）", "Help given: {title} ({requester})"}})
	// TaskDispatched tells volunteers of volunteer work dispatched to them.
	TaskDispatched = define(Message{Key: "task.dispatched",
		Title: Text{"志愿服务110：{title}", "Volunteer service 110: {title}"},
		Body:  Text{"{location}", "{location}"}})
	// TaskMemo is the time-bank memo of pay for volunteer work.
	TaskMemo = define(Message{Key: "task.memo",
		Title: Text{"志愿服务110：{title}", "Volunteer service 110: {title}"}})
)

// The time bank (internal/timebank).
var (
	// MinutesReceived tells a resident minutes were transferred to them.
	MinutesReceived = define(Message{Key: "timebank.received",
		Title: Text{"{sender} 转给你 {minutes} 分钟", "{sender} sent you {minutes} minutes"},
		Body:  Text{"{memo}", "{memo}"}})
	// TransferMemo is the default memo of a transfer.
	TransferMemo = define(Message{Key: "timebank.transfer_memo",
		Title: Text{"{sender} → {recipient}", "{sender} → {recipient}"}})
	// TransferMemoHidden is the memo of a transfer to a neighbour the sender
	// may not see the name of.
	TransferMemoHidden = define(Message{Key: "timebank.transfer_memo_hidden",
		Title: Text{"{sender} → 邻居", "{sender} → a neighbour"}})
	// CorrectionMemo is the memo of a posting that reverses another.
	CorrectionMemo = define(Message{Key: "timebank.correction_memo",
		Title: Text{"更正：{reason}（{original}）", "Correction: {reason} ({original})"}})
	// DonationMemo is the default memo of a donation to a community pool.
	DonationMemo = define(Message{Key: "timebank.donation_memo",
		Title: Text{"捐给{community}时间池", "Donated to {community}'s time pool"}})
)

// Guardianship (internal/guardianship).
var (
	// GuardianshipAsked asks a dependent to consent.
	GuardianshipAsked = define(Message{Key: "guardianship.asked",
		Title: Text{"有人申请照看您，等待您同意", "A guardianship awaits your consent"},
		Body:  Text{"有人申请在邻里照看您；请在应用中同意，或联系您的网格员。", "Someone asked to look after you; consent in the app, or ask your grid worker."}})
	// GuardianshipActive tells the guardian the guardianship is active.
	GuardianshipActive = define(Message{Key: "guardianship.active",
		Title: Text{"监护关系已生效", "A guardianship is active"},
		Body:  Text{"您现在在邻里照看一位家人。", "You now look after a family member in Linli."}})
	// GuardianshipRequestEnded tells of a request withdrawn or declined.
	GuardianshipRequestEnded = define(Message{Key: "guardianship.request_ended",
		Title: Text{"一项监护申请已结束", "A guardianship request ended"},
		Body:  Text{"一项照看您的申请已撤回或被拒绝。", "A request to look after you was withdrawn or declined."}})
	// GuardianshipEnded tells of a guardianship revoked.
	GuardianshipEnded = define(Message{Key: "guardianship.ended",
		Title: Text{"一项监护关系已结束", "A guardianship ended"},
		Body:  Text{"您参与的一项监护关系已被撤销。", "A guardianship you were part of was revoked."}})
)

// Broadcasts and the service itself.
var (
	// BroadcastSent is a street or community broadcast: its own words.
	BroadcastSent = define(Message{Key: "broadcast.sent",
		Title: Text{"{title}", "{title}"},
		Body:  Text{"{body}", "{body}"}})
	// SignInCode is the SMS that carries a sign-in code.
	SignInCode = define(Message{Key: "sms.sign_in_code",
		Title: Text{"【邻里】您的登录验证码是 {code}，{expires} 前有效。请勿告诉他人。", "[Linli] Your sign-in code is {code}, valid until {expires}. Do not share it."}})
)

// Error messages composed from data.
var (
	// ErrAnswerRequired refuses a request without a required form answer.
	ErrAnswerRequired = define(Message{Key: "error.answer_required",
		Title: Text{"请填写「{label}」", "\"{label}\" is required"}})
	// ErrAnswerTooLong refuses a form answer that is too long.
	ErrAnswerTooLong = define(Message{Key: "error.answer_too_long",
		Title: Text{"「{label}」的回答超过 {max} 个字", "the answer to \"{label}\" is longer than {max} characters"}})
	// ErrAnswerNotNumber refuses a form answer that is not a number.
	ErrAnswerNotNumber = define(Message{Key: "error.answer_not_number",
		Title: Text{"「{label}」的回答必须是数字", "the answer to \"{label}\" must be a number"}})
	// ErrAnswerNotBoolean refuses a form answer that is not true or false.
	ErrAnswerNotBoolean = define(Message{Key: "error.answer_not_boolean",
		Title: Text{"「{label}」的回答必须是 true 或 false", "the answer to \"{label}\" must be true or false"}})
	// ErrAnswerNotDate refuses a form answer that is not a date.
	ErrAnswerNotDate = define(Message{Key: "error.answer_not_date",
		Title: Text{"「{label}」的回答必须是日期（YYYY-MM-DD）", "the answer to \"{label}\" must be a date (YYYY-MM-DD)"}})
	// ErrUnknownField refuses an answer to a field the form does not have.
	ErrUnknownField = define(Message{Key: "error.unknown_field",
		Title: Text{"这个类别没有「{name}」这一项", "this category has no field \"{name}\""}})
	// ErrFieldTwice refuses a field answered twice.
	ErrFieldTwice = define(Message{Key: "error.field_twice",
		Title: Text{"「{name}」回答了两次", "field \"{name}\" is answered twice"}})
	// ErrUnsupportedLocale refuses a language Linli does not speak.
	ErrUnsupportedLocale = define(Message{Key: "error.unsupported_locale",
		Title: Text{"不支持的语言 {locale}：可选 zh-Hans 或 en", "unsupported language {locale}: choose zh-Hans or en"}})
)

func init() {
	for v, t := range map[string]Text{
		"BREAKFAST": {"早餐", "breakfast"}, "LUNCH": {"午餐", "lunch"}, "DINNER": {"晚餐", "dinner"},
	} {
		term("period", v, t)
	}
	for v, t := range map[string]Text{
		"DINE_IN": {"堂食", "dine in"}, "PICK_UP": {"自取", "pick-up"}, "DELIVERY": {"送餐上门", "delivery"},
	} {
		term("fulfillment", v, t)
	}
	for v, t := range map[string]Text{
		"MINOR": {"轻微", "minor"}, "SERIOUS": {"严重", "serious"}, "EMERGENCY": {"紧急", "emergency"},
	} {
		term("severity", v, t)
	}
	for v, t := range map[string]Text{
		"ACKNOWLEDGE": {"受理", "acknowledgement"}, "CONTACT": {"联系", "contact"}, "RESOLVE": {"办结", "resolution"},
		"DEPARTMENT_ACKNOWLEDGE": {"部门报到", "department's report"}, "FOLLOW_UP": {"回访", "follow-up"}, "RATING": {"评价", "rating"},
	} {
		term("stage", v, t)
	}
}
