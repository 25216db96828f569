package seed

import "time"

// The phones of the fixed demo accounts (DOMAIN.md, "Demo accounts"), in the
// canonical form Linli stores. Generated residents never use a 139 prefix, so
// these numbers are never taken by anyone else in the demo street.
const (
	// PhoneStreetAdmin signs in as a STREET_ADMIN of Jimei Street.
	PhoneStreetAdmin = "13900000001"
	// PhoneCommunityAdmin signs in as a COMMUNITY_ADMIN of 盛光社区.
	PhoneCommunityAdmin = "13900000002"
	// PhoneGridLeader signs in as the GRID_LEADER of shengguang-01.
	PhoneGridLeader = "13900000003"
	// PhoneGridWorker signs in as a GRID_WORKER of shengguang-01.
	PhoneGridWorker = "13900000004"
	// PhoneSafetyInformant signs in as a SAFETY_INFORMANT of shengguang-01.
	PhoneSafetyInformant = "13900000005"
	// PhoneGuardian signs in as a resident of shengguang-01, the son (and,
	// once dependents exist, the guardian) of PhoneElder.
	PhoneGuardian = "13900000006"
	// PhoneElder signs in as an elderly resident of shengguang-01, born
	// 1944-03-15 (82 years old in 2026), living alone.
	PhoneElder = "13900000007"
	// PhoneVolunteer signs in as a VOLUNTEER of shengguang-01.
	PhoneVolunteer = "13900000008"
	// PhoneCaregiver signs in as a CAREGIVER of 盛光社区 (the day-care centre).
	PhoneCaregiver = "13900000009"
	// PhoneCanteenStaff signs in as CANTEEN_STAFF of 盛光社区 (the canteen).
	PhoneCanteenStaff = "13900000010"
	// PhoneDepartmentStaff signs in as DEPARTMENT_STAFF of the urban
	// management squad, a department that receives escalations.
	PhoneDepartmentStaff = "13900000011"
	// PhoneOtherResident signs in as a resident of cenxi-01, another
	// community, for checks that one grid cannot see another.
	PhoneOtherResident = "13900000012"
)

// The codes of the places in the map that the demo accounts use.
const (
	// StreetCode is the code of the demo street, 集美街道. Its presence is what
	// makes Demo report AlreadySeeded.
	StreetCode = "jimei"
	// CommunityShengguang is the code of 盛光社区, the demo accounts' community.
	CommunityShengguang = "shengguang"
	// GridShengguang01 is the code of 盛光社区第1网格, where the demo accounts
	// live or which they serve.
	GridShengguang01 = "shengguang-01"
	// GridCenxi01 is the code of 岑西社区第1网格, home of PhoneOtherResident.
	GridCenxi01 = "cenxi-01"
	// DepartmentUrbanManagement is the code of 集美街道城市管理执法中队, the
	// department of PhoneDepartmentStaff.
	DepartmentUrbanManagement = "urban-management"
)

// RoleResident is the Account.Role of a demo account that holds no role
// assignment: a plain resident.
const RoleResident = "RESIDENT"

// Account is one fixed demo account: a phone to sign in with, who it is and
// which role it holds where.
type Account struct {
	// Phone is the canonical 11-digit mainland mobile number to sign in with.
	Phone string
	// Name is the resident's name.
	Name string
	// Role is the role the account holds (a RoleAssignment role such as
	// GRID_LEADER), or RoleResident for a resident without any role.
	Role string
	// Scope is the code of where the role is held: a grid, community, street
	// or department code. For RoleResident it is the grid the resident lives in.
	Scope string
	// Description says in English what the account is for.
	Description string
}

// DemoAccounts lists the fixed demo accounts in phone order. Each holds
// exactly one role (or none, for RoleResident) and every one of them is
// registered in a household: in shengguang-01, except PhoneOtherResident who
// lives in cenxi-01.
var DemoAccounts = []Account{
	{PhoneStreetAdmin, "陈雅琴", "STREET_ADMIN", StreetCode, "street office staff of Jimei Street; sees the whole street"},
	{PhoneCommunityAdmin, "林建华", "COMMUNITY_ADMIN", CommunityShengguang, "community office staff of 盛光社区"},
	{PhoneGridLeader, "黄志强", "GRID_LEADER", GridShengguang01, "the leader of 盛光社区第1网格"},
	{PhoneGridWorker, "吴婷婷", "GRID_WORKER", GridShengguang01, "a grid worker of 盛光社区第1网格"},
	{PhoneSafetyInformant, "蔡国荣", "SAFETY_INFORMANT", GridShengguang01, "a safety informant of 盛光社区第1网格"},
	{PhoneGuardian, "陈志明", RoleResident, GridShengguang01, "a resident of 盛光社区第1网格; son and guardian of 林秀英 (13900000007)"},
	{PhoneElder, "林秀英", RoleResident, GridShengguang01, "an elderly resident (born 1944-03-15) living alone in 盛光社区第1网格"},
	{PhoneVolunteer, "郑晓雯", "VOLUNTEER", GridShengguang01, "a volunteer (集美热心人) of 盛光社区第1网格"},
	{PhoneCaregiver, "许美玲", "CAREGIVER", CommunityShengguang, "a caregiver at 盛光社区's elderly day-care centre"},
	{PhoneCanteenStaff, "洪金水", "CANTEEN_STAFF", CommunityShengguang, "staff of 盛光社区's community canteen"},
	{PhoneDepartmentStaff, "谢文斌", "DEPARTMENT_STAFF", DepartmentUrbanManagement, "staff of the urban management squad, which receives escalated requests"},
	{PhoneOtherResident, "郭欣怡", RoleResident, GridCenxi01, "a resident of 岑西社区第1网格, another community"},
}

// demoPerson is what the seed needs to know about a demo account beyond
// Account: the person and the household they head.
type demoPerson struct {
	phone  string
	female bool
	// birth is fixed. The elder's birth date 1944-03-15 is written out rather
	// than computed from a reference date, so that "82 years old" stays true
	// for the demo's lifetime in 2026 and the data never depends on when it
	// was seeded.
	birth time.Time
	// size is the size of the household the person heads (0: drawn at random).
	size int
	// house says the person lives in a self-built house rather than a flat.
	house bool
}

// demoPeople gives the person behind every demo account, in DemoAccounts order.
var demoPeople = []demoPerson{
	{phone: PhoneStreetAdmin, female: true, birth: date(1980, 5, 12)},
	{phone: PhoneCommunityAdmin, birth: date(1978, 9, 3)},
	{phone: PhoneGridLeader, birth: date(1985, 2, 20)},
	{phone: PhoneGridWorker, female: true, birth: date(1993, 7, 8)},
	{phone: PhoneSafetyInformant, birth: date(1968, 11, 30)},
	{phone: PhoneGuardian, birth: date(1975, 4, 18), size: 3},
	{phone: PhoneElder, female: true, birth: date(1944, 3, 15), size: 1, house: true},
	{phone: PhoneVolunteer, female: true, birth: date(1999, 6, 21)},
	{phone: PhoneCaregiver, female: true, birth: date(1982, 12, 5)},
	{phone: PhoneCanteenStaff, birth: date(1970, 8, 14)},
	{phone: PhoneDepartmentStaff, birth: date(1988, 3, 27)},
	{phone: PhoneOtherResident, female: true, birth: date(1996, 10, 9)},
}

// date is midnight UTC of the given day: birth dates carry no time of day.
func date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
}
