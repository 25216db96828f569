package seed

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/jimei-linli/linli/ent/place"
)

// Shengguang's places, as the street's article counts them.
const (
	shengguangCompounds = 8
	shengguangBuildings = 28
	shengguangHouses    = 320
	shengguangShops     = 318
)

// placeCounts says how many places of each kind a grid has.
type placeCounts struct {
	compounds, buildings, houses, shops int
}

// places draws the places of one community, whose grids start at firstGrid.
// Shengguang gets exactly the article's numbers, spread unevenly over its
// grids; the other communities get a few places of each kind per grid.
func (b *builder) places(def communityDef, firstGrid int) {
	counts := make([]placeCounts, def.grids)
	if def.code == CommunityShengguang {
		for g := range counts {
			if g < shengguangCompounds {
				counts[g].compounds = 1
			}
		}
		for g, n := range b.spread(shengguangBuildings, def.grids) {
			counts[g].buildings = n
		}
		for g, n := range b.spread(shengguangHouses, def.grids) {
			counts[g].houses = n
		}
		for g, n := range b.spread(shengguangShops, def.grids) {
			counts[g].shops = n
		}
	} else {
		for g := range counts {
			counts[g] = placeCounts{
				compounds: b.rng.IntN(2),
				buildings: 1 + b.rng.IntN(2),
				houses:    3 + b.rng.IntN(4),
				shops:     2 + b.rng.IntN(4),
			}
		}
	}
	compounds := def.compounds
	for g, c := range counts {
		number := g + 1
		grid := firstGrid + g
		// Grids sit on a 3×3 pattern around the community's centre.
		lat := def.lat + float64(g/3-1)*0.003
		lng := def.lng + float64(g%3-1)*0.003
		onMain, onSide, onLane := mainRoad(def, number), sideRoad(def, number), lane(def, number)
		for range c.compounds {
			n := b.nextNumber(onMain, 6)
			b.addPlace(grid, place.KindCompound, compounds[0], fmt.Sprintf("集美区%s%d号", onMain, n), lat, lng, 100)
			compounds = compounds[1:]
		}
		for range c.buildings {
			n := b.nextNumber(onMain, 3)
			b.addPlace(grid, place.KindBuilding, fmt.Sprintf("%s%d号楼", onMain, n), fmt.Sprintf("集美区%s%d号", onMain, n), lat, lng, 100)
		}
		for range c.houses {
			n := b.nextNumber(onLane, 2)
			b.addPlace(grid, place.KindSelfBuiltHouse, fmt.Sprintf("%s%d号自建房", onLane, n), fmt.Sprintf("集美区%s%d号", onLane, n), lat, lng, 90)
		}
		for range c.shops {
			road := onMain
			if b.rng.IntN(3) == 0 {
				road = onSide
			}
			n := b.nextNumber(road, 2)
			b.addPlace(grid, place.KindShop, shopName(b.rng), fmt.Sprintf("集美区%s%d号", road, n), lat, lng, 95)
		}
	}
}

// addPlace adds a place near (lat, lng); it has coordinates with the given
// percent chance.
func (b *builder) addPlace(grid int, kind place.Kind, name, address string, lat, lng float64, located int) {
	pl := placeRow{grid: grid, kind: kind, name: name, address: address}
	if b.rng.IntN(100) < located {
		// Within about 130 m of the grid's centre, rounded to 6 decimals
		// (10 cm) so that both databases store exactly the same numbers.
		la := round6(lat + (b.rng.Float64()-0.5)*0.0024)
		ln := round6(lng + (b.rng.Float64()-0.5)*0.0024)
		pl.lat, pl.lng = &la, &ln
	}
	b.p.places = append(b.p.places, pl)
}

// nextNumber gives out the next house number on a road or lane, skipping
// up to maxStep-1 numbers, so that numbers are unique street-wide.
func (b *builder) nextNumber(road string, maxStep int) int {
	b.houseNumbers[road] += 1 + b.rng.IntN(maxStep)
	return b.houseNumbers[road]
}

// spread divides total among n grids in random proportions (each grid
// weighs 0.5–1.5), by largest remainder, so the parts add up to total.
func (b *builder) spread(total, n int) []int {
	weights := make([]float64, n)
	sum := 0.0
	for i := range weights {
		weights[i] = 0.5 + b.rng.Float64()
		sum += weights[i]
	}
	parts := make([]int, n)
	rests := make([]float64, n)
	given := 0
	for i, w := range weights {
		x := float64(total) * w / sum
		parts[i] = int(x)
		rests[i] = x - float64(parts[i])
		given += parts[i]
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rests[b], rests[a]) })
	for k := 0; given < total; k++ {
		parts[order[k%n]]++
		given++
	}
	return parts
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
