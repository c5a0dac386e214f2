#pragma once

#include "ops/sim/child_facts.h"
#include "ops/sim/random.h"

namespace deptsim {

/// The family situations of a district, with different shares among rural and urban households. They make
/// roughly 8 % of children left behind, and a few in a thousand orphans or de-facto unsupported.
enum class Scenario {
    BothPresent,
    FatherAway,
    MotherAway,
    BothAway,
    AwayAndIncapable,  // one away for work, the other unable to look after the child
    OneGone,           // one parent dead or missing, the other at home
    OneIncapable,      // one parent severely disabled or ill, the other at home
    OneConfined,       // one parent in prison or compulsory rehab, the other at home
    Unsupported,       // de-facto unsupported (STANDARDS §6.3)
    Orphan,
    FatherUnknown,
};

Scenario drawScenario(Random& random, bool rural);

/// A parent unable to look after a child: 重残, 重病, 服刑 or 强制隔离戒毒.
ParentStatus incapableStatus(Random& random);

/// A situation in which a parent cannot support the child (民发〔2019〕62号 with the two of 〔2020〕125号).
ParentStatus unsupportingStatus(Random& random);

/// Dead or missing.
ParentStatus goneStatus(Random& random);

}  // namespace deptsim
