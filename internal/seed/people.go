package seed

import (
	"errors"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent/place"
)

// minPhoneAge is the age from which a generated resident has a mobile phone;
// younger children have none.
const minPhoneAge = 12

// phonePrefixes are the mainland mobile prefixes generated residents get.
// 139 is left out so that no one collides with the demo accounts
// (139000000xx).
var phonePrefixes = []string{
	"130", "131", "132", "135", "136", "137", "138", "150", "151", "152",
	"155", "158", "159", "176", "177", "180", "186", "187", "188", "189",
}

// Ages of generated residents on referenceDate.
const (
	minAge = 1
	maxAge = 95
)

// people draws the households at every place and the residents in them,
// seating the demo accounts at the head of households in shengguang-01 and
// cenxi-01.
func (b *builder) people() error {
	b.gridResidents = make([][]int, len(b.p.grids))
	for _, a := range DemoAccounts {
		b.phones[a.Phone] = true
	}
	home, other := b.p.gridIndex(GridShengguang01), b.p.gridIndex(GridCenxi01)
	var inFlats, inHouses, elsewhere []demoPerson
	for _, d := range demoPeople {
		switch {
		case d.phone == PhoneOtherResident:
			elsewhere = append(elsewhere, d)
		case d.house:
			inHouses = append(inHouses, d)
		default:
			inFlats = append(inFlats, d)
		}
	}
	// take pops the next demo person off a queue, if any.
	take := func(q *[]demoPerson) *demoPerson {
		if len(*q) == 0 {
			return nil
		}
		d := (*q)[0]
		*q = (*q)[1:]
		return &d
	}
	for pi, pl := range b.p.places {
		for _, unit := range b.units(pl) {
			hh := len(b.p.households)
			b.p.households = append(b.p.households, householdRow{place: pi, unit: unit})
			var head *demoPerson
			switch {
			case pl.grid == home && pl.kind == place.KindSelfBuiltHouse:
				head = take(&inHouses)
			case pl.grid == home && pl.kind != place.KindShop:
				head = take(&inFlats)
			case pl.grid == other && pl.kind != place.KindShop:
				head = take(&elsewhere)
			}
			b.family(hh, pl.grid, head)
		}
	}
	if len(inFlats)+len(inHouses)+len(elsewhere) > 0 {
		return errors.New("seed: the demo grids have too few households for the demo accounts")
	}
	return nil
}

// units draws the registered households of a place: many flats in a
// compound (unit "2-302": block 2, room 302) or a building ("302"), one or
// two in a self-built house, and now and then a family living over a shop.
// Shengguang's compounds and buildings are fuller than the other
// communities'.
func (b *builder) units(pl placeRow) []string {
	big := b.communityOf[pl.grid] == 0
	switch pl.kind {
	case place.KindCompound:
		blocks, floors, rooms := 4+b.rng.IntN(5), 6+b.rng.IntN(7), 2+b.rng.IntN(3)
		n := 8 + b.rng.IntN(5)
		if big {
			n = 14 + b.rng.IntN(7)
		}
		return b.flats(n, blocks*floors*rooms, func(i int) string {
			return fmt.Sprintf("%d-%d%02d", i/(floors*rooms)+1, i/rooms%floors+1, i%rooms+1)
		})
	case place.KindBuilding:
		floors, rooms := 5+b.rng.IntN(5), 2+b.rng.IntN(2)
		n := 3 + b.rng.IntN(4)
		if big {
			n = 3 + b.rng.IntN(4)
		}
		return b.flats(n, floors*rooms, func(i int) string {
			return fmt.Sprintf("%d%02d", i/rooms+1, i%rooms+1)
		})
	case place.KindSelfBuiltHouse:
		if b.rng.IntN(100) < 65 {
			return []string{""}
		}
		return []string{"1楼", "2楼"}
	default:
		if b.rng.IntN(100) < 6 {
			return []string{"2楼"}
		}
		return nil
	}
}

// flats picks n of the total flats of a place, in flat order, and names them.
func (b *builder) flats(n, total int, name func(int) string) []string {
	taken := make([]bool, total)
	for _, i := range b.rng.Perm(total)[:n] {
		taken[i] = true
	}
	var units []string
	for i, t := range taken {
		if t {
			units = append(units, name(i))
		}
	}
	return units
}

// member is one person of a household being drawn.
type member struct {
	surname, given string
	female         bool
	age            int
	birth          time.Time // zero: drawn from age
	phone          string    // empty: drawn
}

// family draws the members of household hh in grid, headed by the demo
// person head if given. Households are families: a single person, a couple,
// a couple with children, three generations.
func (b *builder) family(hh, grid int, head *demoPerson) {
	var h member
	size := 0
	if head != nil {
		name := accountName(head.phone)
		r := []rune(name)
		h = member{surname: string(r[0]), given: string(r[1:]), female: head.female, birth: head.birth, phone: head.phone,
			age: ageOn(head.birth, referenceDate)}
		size = head.size
	} else {
		h = member{surname: surname(b.rng), female: b.rng.IntN(2) == 0}
	}
	if size == 0 {
		size = b.householdSize()
	}
	if head == nil {
		h.age = b.headAge(size)
	}
	members := []member{h}
	if size >= 2 {
		members = append(members, member{
			surname: surname(b.rng), female: !h.female, age: clampAge(h.age + b.rng.IntN(9) - 4),
		})
	}
	// Children take the husband's surname.
	familyName := h.surname
	if h.female && size >= 2 {
		familyName = members[1].surname
	}
	adultChild := 0
	for j := 0; j < size-2; j++ {
		m := member{surname: familyName, female: b.rng.IntN(2) == 0}
		switch {
		case h.age < 26:
			// A young head living with a parent.
			m.age = clampAge(h.age + 22 + b.rng.IntN(10))
			if m.female {
				m.surname = surname(b.rng)
			} else {
				m.surname = h.surname
			}
		case h.age >= 55 && j == 0:
			m.age = clampAge(h.age - 24 - b.rng.IntN(10))
			adultChild = m.age
		case h.age >= 55:
			m.age = clampAge(adultChild - 22 - b.rng.IntN(12))
		case j < 2:
			m.age = h.age - 22 - b.rng.IntN(15)
			if m.age < minAge {
				m.age = minAge + b.rng.IntN(5)
			}
		default:
			// A grandparent living with the family.
			m.age = clampAge(h.age + 24 + b.rng.IntN(9))
			m.surname = h.surname
			if m.female {
				m.surname = surname(b.rng)
			}
		}
		members = append(members, m)
	}
	for _, m := range members {
		if m.birth.IsZero() {
			m.birth = b.birthDate(m.age)
		}
		if m.given == "" {
			m.given = givenName(b.rng, m.female, m.birth.Year())
		}
		if m.phone == "" && m.age >= minPhoneAge {
			m.phone = b.phone()
		}
		b.gridResidents[grid] = append(b.gridResidents[grid], len(b.p.residents))
		b.p.residents = append(b.p.residents, residentRow{
			household: hh, name: m.surname + m.given, phone: m.phone, birth: m.birth, age: m.age,
		})
	}
}

// householdSize draws how many people live in a household: 1 to 5, three on
// average.
func (b *builder) householdSize() int {
	switch r := b.rng.IntN(100); {
	case r < 12:
		return 1
	case r < 40:
		return 2
	case r < 68:
		return 3
	case r < 88:
		return 4
	default:
		return 5
	}
}

// headAge draws the age of the head of a household of the given size:
// people living alone or as a couple are young or old, families are
// headed by the middle-aged.
func (b *builder) headAge(size int) int {
	switch size {
	case 1:
		if b.rng.IntN(10) < 6 {
			return 22 + b.rng.IntN(19)
		}
		return 60 + b.rng.IntN(33)
	case 2:
		if b.rng.IntN(10) < 4 {
			return 58 + b.rng.IntN(33)
		}
		return 24 + b.rng.IntN(22)
	default:
		return 28 + b.rng.IntN(43)
	}
}

// birthDate draws a birth date for someone who is age years old on
// referenceDate.
func (b *builder) birthDate(age int) time.Time {
	month := time.Month(1 + b.rng.IntN(12))
	return date(referenceDate.Year()-age-1, month, 1+b.rng.IntN(28))
}

// phone draws an unused mainland mobile number.
func (b *builder) phone() string {
	for {
		p := fmt.Sprintf("%s%08d", phonePrefixes[b.rng.IntN(len(phonePrefixes))], b.rng.IntN(100_000_000))
		if !b.phones[p] {
			b.phones[p] = true
			return p
		}
	}
}

// ageOn is the age on day of someone born on birth.
func ageOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		age--
	}
	return age
}

func clampAge(age int) int { return max(minAge, min(maxAge, age)) }

// accountName is the name of the demo account with the given phone.
func accountName(phone string) string {
	for _, a := range DemoAccounts {
		if a.Phone == phone {
			return a.Name
		}
	}
	panic("seed: no demo account " + phone)
}
