package seed

import "github.com/jimei-linli/linli/ent/department"

// departmentRows are the departments and co-building units that serve the
// demo street and receive the requests its grids escalate.
var departmentRows = []departmentRow{
	{DepartmentUrbanManagement, "集美街道城市管理执法中队", "市容环境、违章搭建、占道经营、噪音扰民", department.KindGovernment},
	{"market-supervision", "集美市场监督管理所", "食品安全、价格、无照经营、消费投诉", department.KindGovernment},
	{"police", "集美派出所", "治安、矛盾纠纷、出租屋管理、交通秩序", department.KindGovernment},
	{"health", "集美街道社区卫生服务中心", "家庭医生、巡诊、疫苗接种、公共卫生", department.KindGovernment},
	{"housing", "集美区住房和建设局", "房屋安全、自建房排查、物业管理、老旧小区改造", department.KindGovernment},
	{"civil-affairs", "集美区民政局", "最低生活保障、养老服务、残疾人补贴、社会救助", department.KindGovernment},
	{"power-supply", "集美供电服务中心", "停电抢修、用电安全、线路隐患", department.KindGovernment},
	{"water-supply", "集美自来水营业所", "停水、水管爆裂、水质、水表", department.KindGovernment},
	{"jimei-university", "集美大学", "共建单位：志愿者队伍、场地开放、学生社区实践", department.KindCoBuildingUnit},
	{"jimei-industrial-school", "集美工业学校", "共建单位：技能培训、家电维修志愿服务", department.KindCoBuildingUnit},
}

// departments adds the departments to the plan.
func (b *builder) departments() {
	b.p.departments = append(b.p.departments, departmentRows...)
}
